-- Who may see and change sales, production tickets and inventory: leads:*, quotes:*, orders:*, products:*
-- (products and labor rates), inventory:* (locations, levels, movements); job tickets are read with projects:read
-- and scanned with jobtickets:scan.

select internal.permission_policies(v.table_name, v.read_permissions, v.write_permissions)
from (
    values
    ('products', array['products:read'], array['products:write']),
    ('labor_rates', array['products:read'], array['products:write']),
    ('leads', array['leads:read'], array['leads:write']),
    ('quotes', array['quotes:read'], array['quotes:write']),
    ('quote_items', array['quotes:read'], array['quotes:write']),
    ('orders', array['orders:read'], array['orders:write']),
    ('order_items', array['orders:read'], array['orders:write']),
    ('job_tickets', array['projects:read'], array['projects:write']),
    ('job_ticket_scans', array['projects:read'], array['jobtickets:scan']),
    ('inventory_locations', array['inventory:read'], array['inventory:write']),
    ('inventory_levels', array['inventory:read'], array['inventory:write']),
    ('stock_movements', array['inventory:read'], array['inventory:write'])
) as v (table_name, read_permissions, write_permissions);

-- A station scanner sees the scans it records (INSERT ... RETURNING reads them back).
drop policy if exists job_ticket_scans_read on app.job_ticket_scans;
create policy job_ticket_scans_read on app.job_ticket_scans as restrictive for select to pgpsa_staff
using (internal.has_permission('projects:read') or internal.has_permission('jobtickets:scan'));

-- The tenant's sales settings: the deposit rule is orders' business, negative stock inventory's.
drop policy if exists sales_settings_read on app.sales_settings;
create policy sales_settings_read on app.sales_settings as restrictive for select to pgpsa_staff
using (internal.has_permission('orders:read') or internal.has_permission('inventory:read'));
drop policy if exists sales_settings_write on app.sales_settings;
create policy sales_settings_write on app.sales_settings as restrictive for insert to pgpsa_staff
with check (internal.has_permission('orders:write') or internal.has_permission('inventory:write'));
drop policy if exists sales_settings_update on app.sales_settings;
create policy sales_settings_update on app.sales_settings as restrictive for update to pgpsa_staff
using (internal.has_permission('orders:write') or internal.has_permission('inventory:write'));

alter table app.order_status_transitions enable row level security;
alter table app.order_status_transitions force row level security;
drop policy if exists order_status_transitions_read on app.order_status_transitions;
create policy order_status_transitions_read on app.order_status_transitions for select to pgpsa_staff, pgpsa_owner
using (true);

-- Numbers, statuses, stamps, computed money and stock quantities move only through the api functions and
-- triggers; staff write what a person types.
grant select on app.order_status_transitions to pgpsa_staff;
grant select, insert (tenant_id, deposit_percent, allow_negative_stock), update (deposit_percent, allow_negative_stock)
on app.sales_settings to pgpsa_staff;
grant select,
insert (
    tenant_id, sku, name, product_type, description, default_price, cost_price, tax_rate, uom, track_inventory
),
update (sku, name, product_type, description, default_price, cost_price, tax_rate, uom, track_inventory, archived_at)
on app.products to pgpsa_staff;
grant select, delete, insert (tenant_id, role, hourly_rate, effective_from), update (hourly_rate)
on app.labor_rates to pgpsa_staff;
grant select, delete,
insert (
    tenant_id, name, source, client_id, status, contact_name, email, phone, estimated_value, expected_close, notes,
    created_by
),
update (name, source, client_id, status, contact_name, email, phone, estimated_value, expected_close, notes)
on app.leads to pgpsa_staff;
grant select, delete,
insert (
    tenant_id, quote_number, lead_id, client_id, project_type, title, valid_from, valid_until, currency, notes,
    created_by
),
update (lead_id, client_id, project_type, title, valid_from, valid_until, currency, notes)
on app.quotes to pgpsa_staff;
grant select, delete,
insert (
    tenant_id, quote_id, sequence, product_id, description, quantity, unit_price, discount_pct, tax_rate,
    fulfillment_type, required_date
),
update (
    sequence, product_id, description, quantity, unit_price, discount_pct, tax_rate, fulfillment_type, required_date
)
on app.quote_items to pgpsa_staff;
grant select, update (po_number, priority, promised_date, notes, status) on app.orders to pgpsa_staff;
grant select, update (production_notes) on app.order_items to pgpsa_staff;
grant select on app.job_tickets to pgpsa_staff;
grant select, insert (tenant_id, ticket_id, station, stage_id, scanned_by) on app.job_ticket_scans to pgpsa_staff;
grant select, insert (tenant_id, name, location_type), update (name, location_type, archived_at)
on app.inventory_locations to pgpsa_staff;
grant select, insert (tenant_id, product_id, location_id, reorder_point), update (reorder_point)
on app.inventory_levels to pgpsa_staff;
grant select,
insert (
    tenant_id, product_id, location_id, to_location_id, order_item_id, movement_type, quantity, reference, note,
    occurred_at
)
on app.stock_movements to pgpsa_staff;
