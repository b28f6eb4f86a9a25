-- The schedules of seed 003 §5.1, per tenant, at the tenant's local times: the worker asks every minute which
-- periods are due (api.due_schedules) and runs each in its own transaction (api.run_schedule), which takes the
-- period first (app.schedule_runs): a second worker, or a second tick, finds it taken and runs nothing. A failed
-- run rolls back its claim and is tried again on the next tick, for that tenant alone.

-- Each schedule: its sweep, and when it is due in a local day (hourly: every hour).
create or replace function internal.schedules() returns table (schedule text, local_time time, hourly boolean)
language sql immutable set search_path = ''
begin atomic
    select
        x.schedule,
        x.local_time,
        x.hourly
    from (
        values
        ('sla_sweep', '00:00'::time, true),
        ('reorder_report', '07:30'::time, false),
        ('quote_expiry', '08:00'::time, false),
        ('outstanding_deposits', '18:00'::time, false)
    ) as x (schedule, local_time, hourly);
end;

-- What is due for the current tenant at p_at and has not run: the current period of each schedule whose time of
-- day has come (a period missed entirely is not made up: the sweeps look at the state, not at the calendar).
create or replace function api.due_schedules(p_at timestamptz default now()) returns table (schedule text, period text)
language sql stable security definer set search_path = ''
begin atomic
    with
    here as (
        select
            t.id as tenant_id,
            p_at at time zone t.time_zone as local
        from app.tenants as t
        where t.id = internal.current_tenant_id()
    ),

    slots as (
        select
            h.tenant_id,
            s.schedule,
            to_char(h.local, case when s.hourly then 'YYYY-MM-DD"T"HH24' else 'YYYY-MM-DD' end) as period
        from here as h
        cross join internal.schedules() as s
        where s.hourly or h.local::time >= s.local_time
    )

    select
        x.schedule,
        x.period
    from slots as x
    where not exists (
        select from app.schedule_runs as r
        where r.tenant_id = x.tenant_id and r.schedule = x.schedule and r.period = x.period
    );
end;

-- One period of one schedule, for the current tenant: claimed, then run, in the caller's transaction. Null when
-- the period was taken already; else what the sweep counted.
create or replace function api.run_schedule(p_schedule text, p_period text) returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
    n integer;
begin
    insert into app.schedule_runs (tenant_id, schedule, period)
    values (internal.current_tenant_id(), p_schedule, p_period)
    on conflict do nothing;
    if not found then
        return null;
    end if;
    n := case p_schedule
        when 'sla_sweep' then api.sla_sweep()
        when 'reorder_report' then api.reorder_report_sweep()
        when 'quote_expiry' then api.quote_expiry_sweep()
        when 'outstanding_deposits' then api.outstanding_deposits_sweep()
    end;
    if n is null then
        raise exception using errcode = 'PT422', message = format('There is no schedule %s.', p_schedule);
    end if;
    update app.schedule_runs as r set result = n
    where r.tenant_id = internal.current_tenant_id() and r.schedule = p_schedule and r.period = p_period;
    return n;
end;
$$;

-- The daily reorder report (seed 003 §5.1, 07:30): stock below its reorder point, one stock.reorder_report event
-- for purchasing when there is any. Returns how many levels it lists.
create or replace function api.reorder_report_sweep() returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
    items jsonb;
begin
    select jsonb_agg(jsonb_build_object(
        'sku', p.sku, 'product_name', p.name, 'uom', p.uom, 'location_name', l.name,
        'quantity_on_hand', v.quantity_on_hand, 'reorder_point', v.reorder_point
    ) order by p.sku, l.name)
    into items
    from app.inventory_levels as v
    inner join app.products as p on v.tenant_id = p.tenant_id and v.product_id = p.id
    inner join app.inventory_locations as l on v.tenant_id = l.tenant_id and v.location_id = l.id
    where v.tenant_id = internal.current_tenant_id() and v.quantity_on_hand < v.reorder_point;
    if items is null then
        return 0;
    end if;
    perform internal.record_event('stock.reorder_report', 'tenant', internal.current_tenant_id(),
        jsonb_build_object('items', items, 'count', jsonb_array_length(items)));
    return jsonb_array_length(items);
end;
$$;
