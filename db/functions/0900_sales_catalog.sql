-- Sales catalogue and rules: the tenant's sales settings (deposit rule, negative stock), products, labor rates, leads.

-- The tenant's rules, read as the owner: an order's deposit must not depend on whether its writer may read them.
create or replace function internal.deposit_percent(p_tenant_id uuid) returns numeric
language sql stable security definer set search_path = ''
begin atomic
    select coalesce((select s.deposit_percent from app.sales_settings as s where s.tenant_id = p_tenant_id), 50);
end;

create or replace function internal.allows_negative_stock(p_tenant_id uuid) returns boolean
language sql stable security definer set search_path = ''
begin atomic
    select coalesce(
        (select s.allow_negative_stock from app.sales_settings as s where s.tenant_id = p_tenant_id), false
    );
end;

-- Bodies are typed by their shapes (db/migrations/0017_shapes_sales.sql): a call that does not conform is refused,
-- in words naming the field, before the function runs.

-- p: {deposit_percent, allow_negative_stock}; the deposit rule is orders' business, negative stock inventory's.
-- Returns the tenant's id (api.sales_settings has one row, the tenant's).
drop function if exists api.update_sales_settings(jsonb);
create or replace function api.update_sales_settings(p api.sales_settings_patch) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    -- The row needs either permission (internal.table_permissions); each setting belongs to one of them.
    perform internal.require_access('sales_settings', 'update');
    if p ? 'deposit_percent' then
        perform internal.require_permission('orders:write');
    end if;
    if p ?| '{allow_negative_stock,purchasing_email}' then
        perform internal.require_permission('inventory:write');
    end if;
    insert into app.sales_settings as s (tenant_id, deposit_percent, allow_negative_stock, purchasing_email)
    values (
        internal.current_tenant_id(), coalesce((p ->> 'deposit_percent')::numeric, 50),
        coalesce((p ->> 'allow_negative_stock')::boolean, false), p ->> 'purchasing_email'
    )
    on conflict (tenant_id) do update set
        deposit_percent = case when p ? 'deposit_percent' then excluded.deposit_percent else s.deposit_percent end,
        allow_negative_stock = case
            when p ? 'allow_negative_stock' then excluded.allow_negative_stock else s.allow_negative_stock
        end,
        purchasing_email = case when p ? 'purchasing_email' then excluded.purchasing_email else s.purchasing_email end;
    return internal.current_tenant_id();
end;
$$;

-- p: {sku, name, product_type, description, default_price, cost_price, tax_rate, uom, track_inventory}; archived is
-- a change (api.update_product), a new product is never archived.
drop function if exists api.create_product(jsonb);
create or replace function api.create_product(p api.product_create) returns uuid
language sql volatile set search_path = ''
begin atomic
    select internal.require_access('products', 'insert');
    insert into app.products (
        tenant_id, sku, name, product_type, description, default_price, cost_price, tax_rate, uom, track_inventory
    )
    values (
        internal.current_tenant_id(), p ->> 'sku', p ->> 'name', coalesce(p ->> 'product_type', 'product'),
        p ->> 'description', coalesce((p ->> 'default_price')::numeric, 0),
        coalesce((p ->> 'cost_price')::numeric, 0), coalesce((p ->> 'tax_rate')::numeric, 0),
        coalesce(p ->> 'uom', 'each'), coalesce((p ->> 'track_inventory')::boolean, true)
    )
    returning id;
end;

-- Only the keys present change; {"archived": true|false} archives or restores.
drop function if exists api.update_product(uuid, jsonb);
create or replace function api.update_product(p_id uuid, p api.product_patch) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('products', 'update');
    update app.products as x set
        sku = case when p ? 'sku' then p ->> 'sku' else x.sku end,
        name = case when p ? 'name' then p ->> 'name' else x.name end,
        product_type = case when p ? 'product_type' then p ->> 'product_type' else x.product_type end,
        description = case when p ? 'description' then p ->> 'description' else x.description end,
        default_price = case when p ? 'default_price' then (p ->> 'default_price')::numeric else x.default_price end,
        cost_price = case when p ? 'cost_price' then (p ->> 'cost_price')::numeric else x.cost_price end,
        tax_rate = case when p ? 'tax_rate' then (p ->> 'tax_rate')::numeric else x.tax_rate end,
        uom = case when p ? 'uom' then p ->> 'uom' else x.uom end,
        track_inventory = case
            when p ? 'track_inventory' then (p ->> 'track_inventory')::boolean else x.track_inventory
        end,
        archived_at = case
            when p ->> 'archived' = 'true' then coalesce(x.archived_at, now())
            when p ->> 'archived' = 'false' then null
            else x.archived_at
        end
    where x.tenant_id = internal.current_tenant_id() and x.id = p_id;
    if not found then
        perform internal.not_found('product', p_id);
    end if;
    return p_id;
end;
$$;

-- p: {role, hourly_rate, effective_from}; the same role and date again changes that rate.
drop function if exists api.set_labor_rate(jsonb);
create or replace function api.set_labor_rate(p api.labor_rate_set) returns uuid
language sql volatile set search_path = ''
begin atomic
    select internal.require_access('labor_rates', 'insert');
    insert into app.labor_rates as r (tenant_id, role, hourly_rate, effective_from)
    values (
        internal.current_tenant_id(), p ->> 'role', (p ->> 'hourly_rate')::numeric,
        coalesce((p ->> 'effective_from')::date, current_date)
    )
    on conflict (tenant_id, role, effective_from) do update set hourly_rate = excluded.hourly_rate
    returning id;
end;

-- p: {name, source, client_id, status, contact_name, email, phone, estimated_value, expected_close, notes}.
drop function if exists api.create_lead(jsonb);
create or replace function api.create_lead(p api.lead_create) returns uuid
language sql volatile set search_path = ''
begin atomic
    select internal.require_access('leads', 'insert');
    insert into app.leads (
        tenant_id, name, source, client_id, status, contact_name, email, phone, estimated_value, expected_close,
        notes, created_by
    )
    values (
        internal.current_tenant_id(), p ->> 'name', p ->> 'source', (p ->> 'client_id')::uuid,
        coalesce(p ->> 'status', 'new'), p ->> 'contact_name', p ->> 'email', p ->> 'phone',
        (p ->> 'estimated_value')::numeric, (p ->> 'expected_close')::date, p ->> 'notes',
        internal.current_user_id()
    )
    returning id;
end;

drop function if exists api.update_lead(uuid, jsonb);
create or replace function api.update_lead(p_id uuid, p api.lead_patch) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('leads', 'update');
    update app.leads as l set
        name = case when p ? 'name' then p ->> 'name' else l.name end,
        source = case when p ? 'source' then p ->> 'source' else l.source end,
        client_id = case when p ? 'client_id' then (p ->> 'client_id')::uuid else l.client_id end,
        status = case when p ? 'status' then p ->> 'status' else l.status end,
        contact_name = case when p ? 'contact_name' then p ->> 'contact_name' else l.contact_name end,
        email = case when p ? 'email' then (p ->> 'email')::extensions.citext else l.email end,
        phone = case when p ? 'phone' then p ->> 'phone' else l.phone end,
        estimated_value = case
            when p ? 'estimated_value' then (p ->> 'estimated_value')::numeric else l.estimated_value
        end,
        expected_close = case when p ? 'expected_close' then (p ->> 'expected_close')::date else l.expected_close end,
        notes = case when p ? 'notes' then p ->> 'notes' else l.notes end
    where l.tenant_id = internal.current_tenant_id() and l.id = p_id;
    if not found then
        perform internal.not_found('lead', p_id);
    end if;
    return p_id;
end;
$$;

grant execute on function internal.deposit_percent(uuid), internal.allows_negative_stock(uuid) to pgpsa_door_api;
