-- BI contract reports (seed 001): client_contracts is the fact table; contracts give descriptive fields only.

create or replace view bi.active_client_contracts as
select
    cc.id as client_contract_id,
    cc.client_id,
    cl.name as client_name,
    c.name as contract_name,
    cc.start_date,
    cc.end_date,
    internal.assignment_status(
        cc.is_active, cc.terminated_at, cc.start_date, cc.end_date, cc.renewal_state, current_date
    )
        as status
from app.client_contracts as cc
inner join app.contracts as c on cc.tenant_id = c.tenant_id and cc.contract_id = c.id
inner join app.clients as cl on cc.tenant_id = cl.tenant_id and cc.client_id = cl.id
where internal.assignment_status(
    cc.is_active, cc.terminated_at, cc.start_date, cc.end_date, cc.renewal_state, current_date
) in ('active', 'expiring', 'pending_renewal');

-- Revenue billed per assignment and month, from posted contract invoice lines.
create or replace view bi.contract_revenue as
select
    date_trunc('month', i.issue_date)::date as period,
    cc.id as client_contract_id,
    cc.client_id,
    c.name as contract_name,
    sum(l.line_total) as revenue
from app.invoice_lines as l
inner join app.invoices as i on l.tenant_id = i.tenant_id and l.invoice_id = i.id
inner join app.client_contracts as cc on l.tenant_id = cc.tenant_id and l.client_contract_id = cc.id
inner join app.contracts as c on cc.tenant_id = c.tenant_id and cc.contract_id = c.id
where i.status in ('sent', 'partial', 'paid')
group by date_trunc('month', i.issue_date), cc.id, cc.client_id, c.name;

create or replace view bi.contract_expirations as
select
    cc.id as client_contract_id,
    cc.client_id,
    c.name as contract_name,
    cc.end_date,
    cc.end_date - current_date as days_left,
    cc.renewal_state
from app.client_contracts as cc
inner join app.contracts as c on cc.tenant_id = c.tenant_id and cc.contract_id = c.id
where cc.terminated_at is null and cc.end_date between current_date and current_date + 90;
