-- Sales test helpers: a banner template, a sent quote, and tests.seed_tenant_sales (a row in every sales table).

-- A one-stage-then-print template for project type "banner" (unless the tenant has one), as the current user.
create or replace function tests.sales_template() returns uuid
language plpgsql volatile
as $$
declare
    template uuid;
begin
    select t.id into template from api.templates as t where t.project_type = 'banner' and t.is_active;
    return coalesce(template, api.create_template('{"name": "Banner", "project_type": "banner", "stages": [
        {"stage_code": "design", "name": "Design", "sla_hours": 48, "tasks": [{"title": "Layout"}]},
        {"stage_code": "print", "name": "Print", "sla_hours": 24, "requires_deposit": true,
         "tasks": [{"title": "Print run"}]}]}'));
end;
$$;

-- A quote for the client with one line (10 x 100, 10% off, 8% tax: 900 + 72 = 972), sent unless p_send is false.
create or replace function tests.sales_quote(p_client_id uuid, p_send boolean default true) returns uuid
language plpgsql volatile
as $$
declare
    quote uuid;
begin
    quote := api.create_quote(jsonb_build_object(
        'client_id', p_client_id, 'project_type', 'banner', 'title', 'Shop banners',
        'items', jsonb_build_array(jsonb_build_object(
            'description', 'Vinyl banner', 'quantity', 10, 'unit_price', 100, 'discount_pct', 10, 'tax_rate', 8
        ))
    ));
    if p_send then
        perform api.send_quote(quote);
    end if;
    return quote;
end;
$$;

-- At least one row in every sales table of the tenant, through the api, as the tenant's manager (a new one).
-- tests.seed_tenant calls it, so the generated isolation test covers these tables.
create or replace function tests.seed_tenant_sales(p_tenant_id uuid) returns void
language plpgsql volatile
as $$
declare
    manager uuid;
    client uuid;
    product uuid;
    location uuid;
    lead uuid;
    accepted record;
    item uuid;
begin
    -- tests.seed_tenant calls this as staff; users are made by the superuser.
    perform tests.as_superuser();
    manager := tests.create_user(p_tenant_id, 'manager');
    perform tests.authenticate_as(manager);
    perform api.update_sales_settings('{"deposit_percent": 40}');
    -- The tenant's first client when it has one (the isolation test counts clients).
    select c.id into client from api.clients as c order by c.created_at, c.id limit 1;
    client := coalesce(client, api.create_client(jsonb_build_object(
        'account_code', 'SALES-' || left(p_tenant_id::text, 8), 'name', 'Sales seed client', 'channel', 'retail'
    )));
    product := api.create_product('{"sku": "VINYL-1", "name": "Vinyl roll", "default_price": 100, "uom": "m"}');
    perform api.set_labor_rate('{"role": "designer", "hourly_rate": 45}');
    lead := api.create_lead(jsonb_build_object('name', 'Seed lead', 'source', 'web', 'client_id', client));
    perform tests.sales_template();
    perform api.update_quote(tests.sales_quote(client, false), jsonb_build_object('lead_id', lead));
    select * into accepted from api.accept_quote(tests.sales_quote(client));
    perform api.scan_job_ticket(accepted.job_ticket_code, 'print');
    location := api.create_inventory_location('{"name": "Main store"}');
    perform api.set_reorder_point(product, location, 5);
    select i.id into item from api.order_items as i where i.order_id = accepted.order_id limit 1;
    perform api.record_stock_movement(jsonb_build_object(
        'product_id', product, 'location_id', location, 'movement_type', 'receive', 'quantity', 20
    ));
    perform api.record_stock_movement(jsonb_build_object(
        'product_id', product, 'location_id', location, 'movement_type', 'consume', 'quantity', 2,
        'order_item_id', item
    ));
    perform tests.as_superuser();
end;
$$;

-- How many events of a type an aggregate has, read as the superuser (staff may not read the outbox).
create or replace function tests.events(p_event_type text, p_aggregate_id uuid) returns integer
language sql stable security definer
begin atomic
    select count(*)::integer from app.domain_events as e
    where e.event_type = p_event_type and e.aggregate_id = p_aggregate_id;
end;
