-- BI contract reports (seed 001): client_contracts is the fact table; contracts give descriptive fields only. "Today"
-- is the UTC date (internal.report_today()).

create or replace view bi.active_client_contracts as
select
    cc.id as client_contract_id,
    cc.client_id,
    cl.name as client_name,
    c.name as contract_name,
    cc.start_date,
    cc.end_date,
    internal.assignment_status(
        cc.is_active, cc.terminated_at, cc.start_date, cc.end_date, cc.renewal_state, internal.report_today()
    )::app.assignment_status
        as status
from app.client_contracts as cc
inner join app.contracts as c on cc.tenant_id = c.tenant_id and cc.contract_id = c.id
inner join app.clients as cl on cc.tenant_id = cl.tenant_id and cc.client_id = cl.id
where internal.assignment_status(
    cc.is_active, cc.terminated_at, cc.start_date, cc.end_date, cc.renewal_state, internal.report_today()
) in ('active', 'expiring', 'pending_renewal');

comment on view bi.active_client_contracts is
'One row per client contract (assignment) live today (UTC): active, expiring (ends within 30 days) or pending renewal.';
comment on column bi.active_client_contracts.client_contract_id is 'The assignment''s id.';
comment on column bi.active_client_contracts.client_id is 'The client it is assigned to (bi.clients.id).';
comment on column bi.active_client_contracts.client_name is 'The client''s name.';
comment on column bi.active_client_contracts.contract_name is 'The contract''s name.';
comment on column bi.active_client_contracts.start_date is 'First day of the assignment (date).';
comment on column bi.active_client_contracts.end_date is 'Last day of the assignment (date); null when open-ended.';
comment on column bi.active_client_contracts.status is
'Live status today (UTC), from the assignment: active, expiring or pending_renewal.';

-- Revenue billed per assignment, month and currency, from posted contract invoice lines.
create or replace view bi.contract_revenue as
select
    internal.report_month(i.issue_date) as month,
    cc.id as client_contract_id,
    cc.client_id,
    c.name as contract_name,
    i.currency,
    sum(l.line_total)::app.money as revenue
from app.invoice_lines as l
inner join app.invoices as i on l.tenant_id = i.tenant_id and l.invoice_id = i.id
inner join app.client_contracts as cc on l.tenant_id = cc.tenant_id and l.client_contract_id = cc.id
inner join app.contracts as c on cc.tenant_id = c.tenant_id and cc.contract_id = c.id
where i.status in ('sent', 'partial', 'paid')
group by internal.report_month(i.issue_date), cc.id, cc.client_id, c.name, i.currency;

comment on view bi.contract_revenue is
'One row per client contract, month and currency with revenue: what posted invoices (sent, partial, paid) billed '
'through the assignment''s lines, by the month of the invoice''s issue date.';
comment on column bi.contract_revenue.month is 'The month the invoices were issued in (date, its first day).';
comment on column bi.contract_revenue.client_contract_id is 'The assignment billed.';
comment on column bi.contract_revenue.client_id is 'The client billed (bi.clients.id).';
comment on column bi.contract_revenue.contract_name is 'The contract''s name.';
comment on column bi.contract_revenue.currency is
'The invoices'' currency (ISO 4217); amounts are never summed across currencies.';
comment on column bi.contract_revenue.revenue is 'Sum of the lines'' totals before tax (money, in currency).';

create or replace view bi.contract_expirations as
select
    cc.id as client_contract_id,
    cc.client_id,
    c.name as contract_name,
    cc.end_date,
    cc.end_date - internal.report_today() as days_left,
    cc.renewal_state
from app.client_contracts as cc
inner join app.contracts as c on cc.tenant_id = c.tenant_id and cc.contract_id = c.id
where
    cc.terminated_at is null
    and cc.end_date between internal.report_today() and internal.report_today() + 90;

comment on view bi.contract_expirations is
'One row per client contract (not terminated) whose last day is today or within the next 90 days (UTC dates).';
comment on column bi.contract_expirations.client_contract_id is 'The assignment''s id.';
comment on column bi.contract_expirations.client_id is 'The client it is assigned to (bi.clients.id).';
comment on column bi.contract_expirations.contract_name is 'The contract''s name.';
comment on column bi.contract_expirations.end_date is 'Last day of the assignment (date).';
comment on column bi.contract_expirations.days_left is 'Days from today (UTC) to end_date: 0 when it ends today.';
comment on column bi.contract_expirations.renewal_state is 'Renewal: none, pending_renewal, renewed or declined.';
