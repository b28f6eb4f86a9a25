-- Undo 0009: sales, job tickets, inventory, labor rates, their permissions and the foreign keys into orders.
alter table app.projects drop constraint if exists fk_projects_order_id_orders;
alter table app.invoice_lines drop constraint if exists fk_invoice_lines_order_item_id_order_items;
alter table app.invoices drop constraint if exists fk_invoices_order_id_orders;
drop table if exists app.stock_movements, app.inventory_levels, app.inventory_locations, app.job_ticket_scans,
app.job_tickets, app.order_items, app.orders, app.quote_items, app.quotes, app.leads, app.labor_rates, app.products,
app.sales_settings, app.order_status_transitions cascade;
delete from app.user_permissions
where permission in ('products:read', 'products:write', 'inventory:read', 'inventory:write');
delete from app.role_permissions
where permission in ('products:read', 'products:write', 'inventory:read', 'inventory:write');
delete from app.permissions
where name in ('products:read', 'products:write', 'inventory:read', 'inventory:write');
