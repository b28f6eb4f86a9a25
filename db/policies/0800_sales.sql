-- Who may see and change sales, production tickets and inventory: leads:*, quotes:*, orders:*, products:*
-- (products and labor rates), inventory:* (locations, levels, movements); job tickets are read with projects:read
-- and scanned with jobtickets:scan.

-- Numbers, statuses, stamps, computed money and stock quantities move only through the api functions and
-- triggers; staff write what a person types.
grant select, insert (tenant_id, deposit_percent, allow_negative_stock, purchasing_email),
update (deposit_percent, allow_negative_stock, purchasing_email)
on app.sales_settings to pgpsa_door_api;
grant select,
insert (
    tenant_id, sku, name, product_type, description, default_price, cost_price, tax_rate, uom, track_inventory
),
update (sku, name, product_type, description, default_price, cost_price, tax_rate, uom, track_inventory, archived_at)
on app.products to pgpsa_door_api;
grant select, delete, insert (tenant_id, role, hourly_rate, effective_from), update (hourly_rate)
on app.labor_rates to pgpsa_door_api;
grant select, delete,
insert (
    tenant_id, name, source, client_id, status, contact_name, email, phone, estimated_value, expected_close, notes,
    created_by
),
update (name, source, client_id, status, contact_name, email, phone, estimated_value, expected_close, notes)
on app.leads to pgpsa_door_api;
grant select, delete,
insert (
    tenant_id, quote_number, lead_id, client_id, project_type, title, valid_from, valid_until, currency, notes,
    created_by
),
update (lead_id, client_id, project_type, title, valid_from, valid_until, currency, notes)
on app.quotes to pgpsa_door_api;
grant select, delete,
insert (
    tenant_id, quote_id, sequence, product_id, description, quantity, unit_price, discount_pct, tax_rate,
    fulfillment_type, required_date
),
update (
    sequence, product_id, description, quantity, unit_price, discount_pct, tax_rate, fulfillment_type, required_date
)
on app.quote_items to pgpsa_door_api;
grant select, update (po_number, priority, promised_date, notes, status) on app.orders to pgpsa_door_api;
grant select, update (production_notes) on app.order_items to pgpsa_door_api;
grant select on app.job_tickets to pgpsa_door_api;
grant select, insert (tenant_id, ticket_id, station, stage_id, scanned_by) on app.job_ticket_scans to pgpsa_door_api;
grant select, insert (tenant_id, name, location_type), update (name, location_type, archived_at)
on app.inventory_locations to pgpsa_door_api;
grant select, insert (tenant_id, product_id, location_id, reorder_point), update (reorder_point)
on app.inventory_levels to pgpsa_door_api;
grant select,
insert (
    tenant_id, product_id, location_id, to_location_id, order_item_id, movement_type, quantity, reference, note,
    occurred_at
)
on app.stock_movements to pgpsa_door_api;

-- What the bi views read of sales (lead conversion, the quote pipeline, deposits, profitability).
grant select (tenant_id, id, status, created_at) on app.leads to pgpsa_door_bi;
grant select (tenant_id, id, lead_id, status, currency, created_at) on app.quotes to pgpsa_door_bi;
grant select (tenant_id, quote_id, line_total, tax_amount) on app.quote_items to pgpsa_door_bi;
grant select (
    tenant_id, id, order_number, quote_id, client_id, project_type, status, promised_date, currency,
    deposit_required, created_at
)
on app.orders to pgpsa_door_bi;
grant select (tenant_id, id, order_id, line_total) on app.order_items to pgpsa_door_bi;
grant select (tenant_id, product_id, order_item_id, movement_type, quantity) on app.stock_movements to pgpsa_door_bi;
grant select (tenant_id, id, cost_price) on app.products to pgpsa_door_bi;
grant select (tenant_id, role, hourly_rate, effective_from) on app.labor_rates to pgpsa_door_bi;
