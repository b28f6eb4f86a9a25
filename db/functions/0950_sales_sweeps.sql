-- Scheduled sales sweeps (seed 003 §5.1), idempotent, run by `pgpsa worker` as the owner tenant by tenant with the
-- tenant set (RLS stays on): quote expiry with its 3-day reminder, and outstanding deposits.

-- Sent quotes past valid_until expire (the status change records quote.expired); sent quotes within 3 days of
-- valid_until get one quote.expiring reminder (reminded_at remembers it). Returns how many quotes it touched.
create or replace function api.quote_expiry_sweep() returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
    tenant uuid;
    touched integer := 0;
    n integer;
    q record;
begin
    for tenant in select t.id from app.tenants as t loop
        perform set_config('pgpsa.tenant_id', tenant::text, true);
        update app.quotes as x set status = 'expired'
        where x.tenant_id = tenant and x.status = 'sent' and x.valid_until < current_date;
        get diagnostics n = row_count;
        touched := touched + n;
        for q in
            update app.quotes as x set reminded_at = now()
            where x.tenant_id = tenant and x.status = 'sent' and x.reminded_at is null
              and x.valid_until <= current_date + 3
            returning x.id, x.quote_number, x.valid_until, x.client_id
        loop
            perform internal.record_event('quote.expiring', 'quote', q.id, jsonb_build_object(
                'quote_number', q.quote_number, 'valid_until', q.valid_until, 'client_id', q.client_id
            ));
            touched := touched + 1;
        end loop;
    end loop;
    perform set_config('pgpsa.tenant_id', '', true);
    return touched;
end;
$$;

-- Orders whose deposit is not yet received in full get one deposit.outstanding event a day (the daily report).
-- Returns how many it recorded; a second run the same day records none.
create or replace function api.outstanding_deposits_sweep() returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
    tenant uuid;
    recorded integer := 0;
    o record;
begin
    for tenant in select t.id from app.tenants as t loop
        perform set_config('pgpsa.tenant_id', tenant::text, true);
        for o in
            select d.* from api.outstanding_deposits as d
            where not exists (
                select from app.domain_events as e
                where e.tenant_id = tenant and e.aggregate_type = 'order' and e.aggregate_id = d.order_id
                  and e.event_type = 'deposit.outstanding' and e.occurred_at >= current_date
            )
        loop
            perform internal.record_event('deposit.outstanding', 'order', o.order_id, jsonb_build_object(
                'order_number', o.order_number, 'deposit_required', o.deposit_required,
                'deposit_received', o.deposit_received, 'outstanding', o.outstanding
            ));
            recorded := recorded + 1;
        end loop;
    end loop;
    perform set_config('pgpsa.tenant_id', '', true);
    return recorded;
end;
$$;
