-- Undo 0017: the sales, billing, contracts and inventory shapes and response types dropped (with the functions and
-- views that use them; the older repeatable files make those again), SKUs back to text with their check, the quote
-- lookup and the new words and number domains gone.
do $$
declare
    t text;
begin
    foreach t in array array[
        'sales_settings_patch', 'product_create', 'product_patch', 'labor_rate_set', 'lead_create', 'lead_patch',
        'line_create', 'quote_create', 'quote_patch', 'order_create', 'order_patch', 'deposit_create',
        'invoice_item_create', 'invoice_create', 'invoice_patch', 'invoice_draft_create', 'payment_create',
        'contract_template_create', 'contract_create', 'contract_patch',
        'contract_instantiate', 'assignment_create', 'contract_invoice_create', 'location_create',
        'stock_movement_create'
    ] loop
        execute format('drop domain if exists api.%I cascade', t);
    end loop;
    foreach t in array array[
        'sales_settings_fields', 'product_fields', 'labor_rate_fields', 'lead_fields', 'quote_fields', 'order_fields',
        'order_update_fields', 'deposit_fields', 'invoice_fields', 'invoice_update_fields', 'invoice_draft_fields',
        'payment_fields', 'payment_application_fields', 'contract_template_fields', 'contract_fields',
        'contract_update_fields', 'contract_instance_fields', 'assignment_fields', 'contract_invoice_fields',
        'location_fields', 'stock_movement_fields', 'project_ref', 'template_line', 'contract_line', 'line_service'
    ] loop
        execute format('drop type if exists api.%I cascade', t);
    end loop;
    foreach t in array array[
        'lines_json', 'invoice_items_json', 'payment_applications_json', 'invoice_line_patches_json',
        'template_lines_json', 'contract_lines_json', 'contract_services_json'
    ] loop
        execute format('drop domain if exists api.%I cascade', t);
    end loop;
    foreach t in array array[
        'line_fields', 'invoice_item_fields', 'invoice_line_patch_fields', 'template_line_fields',
        'contract_line_fields', 'contract_service_fields'
    ] loop
        execute format('drop type if exists api.%I cascade', t);
    end loop;
end
$$;

drop table app.quote_status_transitions;

select internal.drop_code_reading('app.products', '{sku}');
alter table app.products alter column sku type text;
alter table app.products add constraint check_products_sku check (sku ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$');
comment on constraint check_products_sku on app.products is
'A SKU is 1 to 40 letters, digits, dots, dashes, slashes or underscores.';
drop domain app.sku;

-- Cascade: the views and functions that use them go too (the older repeatable files make them again).
drop domain app.assignment_status, app.requested_priority, app.settable_invoice_status, app.price, app.payment_amount,
app.positive_quantity cascade;
alter domain app.quantity drop constraint check_quantity;
comment on domain app.quantity is null;
