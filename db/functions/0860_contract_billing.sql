-- Contract billing (seed 001 + seed 000 invoices): one function bills a client's active assignments for a period from
-- their contract lines (fixed per period, hourly from time logged against the line in the period) into a draft
-- invoice of kind contract; an assignment is never billed twice for overlapping periods (contract_billings).

-- The invoice is in the contracts' currency: a client with contracts due in several currencies is billed one
-- currency at a time (p.currency). The due assignments are locked first, then billed in a statement of its own
-- whose snapshot comes after the locks, so time logged against them is either billed or refused, never lost (see
-- internal.refuse_billed_contract_time).
-- The client is the path's; the period is the body's period_start and period_end, p the rest of it
-- (db/migrations/0017_shapes_sales.sql).
drop function if exists api.bill_client_contracts(uuid, date, date, jsonb);
create or replace function api.bill_client_contracts(
    p_client_id uuid, p_period_start date, p_period_end date, p api.contract_invoice_create default '{}'
) returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
    tenant uuid := internal.current_tenant_id();
    invoice uuid;
    billed integer;
    due uuid[];
    currencies text[];
    wanted_currency text := upper(p ->> 'currency');
begin
    perform internal.require_access('invoices', 'insert');
    if p_period_end < p_period_start then
        raise exception using errcode = 'PT422', message = 'A billing period ends on or after its start.';
    end if;
    if not exists (select from app.clients as c where c.tenant_id = tenant and c.id = p_client_id) then
        perform internal.not_found('client', p_client_id);
    end if;
    -- Active assignments overlapping the period and not billed for any part of it yet, in the currency asked.
    select array_agg(x.id), array_agg(distinct x.currency) into due, currencies from (
        select cc.id, c.currency::text as currency from app.client_contracts as cc
        join app.contracts as c on c.tenant_id = cc.tenant_id and c.id = cc.contract_id
        where cc.tenant_id = tenant and cc.client_id = p_client_id and cc.is_active
          and cc.start_date <= p_period_end and coalesce(cc.end_date, p_period_end) >= p_period_start
          and (wanted_currency is null or c.currency = wanted_currency)
          and not exists (
              select from app.contract_billings as b
              where b.tenant_id = tenant and b.client_contract_id = cc.id
                and daterange(b.period_start, b.period_end, '[]') && daterange(p_period_start, p_period_end, '[]')
          )
        order by cc.id
        for update of cc
    ) as x;
    if cardinality(currencies) > 1 then
        raise exception using
            errcode = 'PT409',
            message = format('This client''s contracts due for the period are in %s; an invoice has one currency.',
                array_to_string(currencies, ' and ')),
            hint = format('Bill them one currency at a time (currency: %s).', currencies[1]);
    end if;
    insert into app.invoices (tenant_id, client_id, kind, issue_date, due_date, currency, notes, created_by)
    values (tenant, p_client_id, 'contract', p_period_end, (p ->> 'due_date')::date, coalesce(currencies[1], 'USD'),
        coalesce(p ->> 'notes', format('Contract services %s to %s', p_period_start, p_period_end)),
        internal.current_user_id())
    returning id into invoice;

    with amounts as (
        select
            cc.id as client_contract_id, l.id as contract_line_id, c.name as contract_name, l.name as line_name,
            l.sequence, l.line_type,
            case l.line_type
                when 'fixed' then 1
                else coalesce((
                    select sum(e.hours) from app.time_entries as e
                    where e.tenant_id = tenant and e.contract_line_id = l.id
                      and e.work_date between greatest(p_period_start, cc.start_date)
                      and least(p_period_end, coalesce(cc.end_date, p_period_end))
                ), 0)
            end as quantity,
            case l.line_type
                when 'fixed' then coalesce((
                    -- A pricing schedule in force at the period's start overrides the line's rate.
                    select ps.amount from app.contract_line_pricing_schedules as ps
                    where ps.tenant_id = tenant and ps.contract_line_id = l.id and ps.effective_from <= p_period_start
                      and coalesce(ps.effective_to, p_period_start) >= p_period_start
                    order by ps.effective_from desc limit 1
                ), r.amount, 0)
                else coalesce(r.hourly_rate, 0)
            end as unit_price
        from app.client_contracts as cc
        join app.contracts as c on c.tenant_id = tenant and c.id = cc.contract_id
        join app.contract_lines as l on l.tenant_id = tenant and l.contract_id = cc.contract_id
        left join app.contract_line_rates as r on r.tenant_id = tenant and r.contract_line_id = l.id
        where cc.tenant_id = tenant and cc.id = any(due)
    ),
    lines as (
        insert into app.invoice_lines (
            tenant_id, invoice_id, sequence, description, quantity, unit_price, tax_rate, source_type,
            contract_line_id, client_contract_id
        )
        select
            tenant, invoice, row_number() over (order by a.contract_name, a.sequence),
            a.contract_name || ': ' || a.line_name
            || case a.line_type when 'hourly' then ' (' || a.quantity || ' h)' else '' end,
            a.quantity, a.unit_price, coalesce((p ->> 'tax_rate')::numeric, 0), 'contract_line', a.contract_line_id,
            a.client_contract_id
        from amounts as a
        where a.quantity > 0
        returning client_contract_id
    ),
    periods as (
        insert into app.contract_billings (tenant_id, client_contract_id, invoice_id, period_start, period_end)
        select distinct tenant, l.client_contract_id, invoice, p_period_start, p_period_end from lines as l
        returning 1
    )
    select count(*) into billed from periods;

    if billed = 0 then
        raise exception using
            errcode = 'PT409', message = 'Nothing to bill: no active assignment of this client is unbilled for that period.';
    end if;
    perform internal.record_event('invoice.drafted', 'invoice', invoice,
        jsonb_build_object('client_id', p_client_id, 'period_start', p_period_start, 'period_end', p_period_end));
    return invoice;
end;
$$;

-- What a client contact sees of their contracts' documents: through ownership, so a split never leaks them; a
-- session opened by a project's share link sees no contracts (as portal.contract_document_download refuses them).
-- plpgsql because internal.current_portal_project_id is defined later (0960), and a SQL body is resolved when made.
create or replace function portal.contract_documents()
returns table (contract_id uuid, contract_name text, file_id uuid, file_name text, content_type text, size_bytes bigint)
language plpgsql stable security definer set search_path = ''
as $$
begin
    return query
    select
        c.id as contract_id,
        c.name::text as contract_name,
        f.id as file_id,
        f.file_name::text,
        f.content_type::text,
        f.size_bytes
    from app.contract_documents as d
    inner join app.contracts as c on d.tenant_id = c.tenant_id and d.contract_id = c.id
    inner join app.files as f on d.tenant_id = f.tenant_id and d.file_id = f.id
    where
        d.tenant_id = internal.current_tenant_id()
        and c.owner_client_id = internal.current_client_id()
        and internal.current_portal_project_id() is null
        and f.visibility = 'customer' and f.state = 'available'
    order by c.name, f.file_name;
end;
$$;
