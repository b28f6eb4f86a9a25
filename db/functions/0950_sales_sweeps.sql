-- Scheduled sales sweeps (seed 003 §5.1), idempotent, run by `pgpsa worker` as pgpsa_worker with one tenant set
-- (each tenant in its own transaction); they run as the owner, in that tenant only (RLS stays on): quote expiry with
-- its 3-day reminder, and outstanding deposits.

-- Sent quotes past valid_until expire (the status change records quote.expired); sent quotes within 3 days of
-- valid_until get one quote.expiring reminder (reminded_at remembers it). Returns how many quotes it touched.
create or replace function api.quote_expiry_sweep() returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
    touched integer := 0;
    n integer;
    q record;
begin
    update app.quotes as x set status = 'expired'
    where x.tenant_id = internal.current_tenant_id() and x.status = 'sent' and x.valid_until < current_date;
    get diagnostics n = row_count;
    touched := touched + n;
    for q in
        update app.quotes as x set reminded_at = now()
        where x.tenant_id = internal.current_tenant_id() and x.status = 'sent' and x.reminded_at is null
          and x.valid_until <= current_date + 3
        returning x.id, x.quote_number, x.valid_until, x.client_id
    loop
        perform internal.record_event('quote.expiring', 'quote', q.id, jsonb_build_object(
            'quote_number', q.quote_number, 'valid_until', q.valid_until, 'client_id', q.client_id
        ));
        touched := touched + 1;
    end loop;
    return touched;
end;
$$;

-- Open orders whose deposit is not yet received in full get one deposit.outstanding event a day (the daily report).
-- Returns how many it recorded; a second run the same day records none.
create or replace function api.outstanding_deposits_sweep() returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
    recorded integer := 0;
    o record;
begin
    for o in
        select x.id as order_id, x.order_number, x.deposit_required, f.deposit_received,
            x.deposit_required - f.deposit_received as outstanding
        from app.orders as x
        join internal.order_facts as f on f.tenant_id = x.tenant_id and f.order_id = x.id
        where x.tenant_id = internal.current_tenant_id() and x.status not in ('completed', 'cancelled')
          and x.deposit_required > f.deposit_received
          and not exists (
              select from app.domain_events as e
              where e.tenant_id = x.tenant_id and e.aggregate_type = 'order' and e.aggregate_id = x.id
                and e.event_type = 'deposit.outstanding' and e.occurred_at >= current_date
          )
    loop
        perform internal.record_event('deposit.outstanding', 'order', o.order_id, jsonb_build_object(
            'order_number', o.order_number, 'deposit_required', o.deposit_required,
            'deposit_received', o.deposit_received, 'outstanding', o.outstanding
        ));
        recorded := recorded + 1;
    end loop;
    return recorded;
end;
$$;

-- Every tenant's id, for the worker to visit one at a time (it sets each as its context).
create or replace function api.worker_tenants() returns setof uuid
language sql stable security definer set search_path = ''
begin atomic
    select t.id from app.tenants as t
    order by t.created_at, t.id;
end;
