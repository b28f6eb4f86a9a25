-- BI billing views: receivables aged by client (AR aging), days sales outstanding by month, and the delivered work
-- not yet invoiced (unbilled WIP). An invoice's total is its lines' totals with tax, its balance that less the
-- payments applied to it (as api.invoices says); "today" is the UTC date (internal.report_today()). Amounts are in
-- each invoice's currency and never summed across currencies.

-- Posted invoices with a balance, by how far past their due date they are today.
create or replace view bi.ar_aging as
with open_invoices as (
    select
        i.tenant_id,
        i.client_id,
        i.currency,
        internal.report_today() - coalesce(i.due_date, i.issue_date) as days_past_due,
        coalesce(b.total, 0) - coalesce(b.paid, 0) as balance
    from app.invoices as i
    -- Its total and payments as app.invoice_balances keeps them.
    left join app.invoice_balances as b on i.tenant_id = b.tenant_id and i.id = b.invoice_id
    where i.status in ('sent', 'partial')
)

select
    o.client_id,
    c.name as client_name,
    o.currency,
    count(*)::integer as open_invoices,
    coalesce(sum(o.balance) filter (where o.days_past_due <= 0), 0)::app.money as not_yet_due,
    coalesce(sum(o.balance) filter (where o.days_past_due between 1 and 30), 0)::app.money as past_due_1_30,
    coalesce(sum(o.balance) filter (where o.days_past_due between 31 and 60), 0)::app.money as past_due_31_60,
    coalesce(sum(o.balance) filter (where o.days_past_due between 61 and 90), 0)::app.money as past_due_61_90,
    coalesce(sum(o.balance) filter (where o.days_past_due > 90), 0)::app.money as past_due_over_90,
    sum(o.balance)::app.money as balance_due
from open_invoices as o
inner join app.clients as c on o.tenant_id = c.tenant_id and o.client_id = c.id
where o.balance > 0
group by o.client_id, c.name, o.currency;

comment on view bi.ar_aging is
'Accounts receivable aging today (UTC): one row per client and currency with a balance on posted invoices (sent or '
'partial), the balances bucketed by days past the due date.';
comment on column bi.ar_aging.client_id is 'The client owing (bi.clients.id).';
comment on column bi.ar_aging.client_name is 'The client''s name.';
comment on column bi.ar_aging.currency is 'The invoices'' currency (ISO 4217).';
comment on column bi.ar_aging.open_invoices is 'Posted invoices of the client in the currency with a balance (count).';
comment on column bi.ar_aging.not_yet_due is
'Balances of invoices due today or later (money, in currency): due today is not yet past due.';
comment on column bi.ar_aging.past_due_1_30 is 'Balances 1 to 30 days past due (money, in currency).';
comment on column bi.ar_aging.past_due_31_60 is 'Balances 31 to 60 days past due (money, in currency).';
comment on column bi.ar_aging.past_due_61_90 is 'Balances 61 to 90 days past due (money, in currency).';
comment on column bi.ar_aging.past_due_over_90 is 'Balances more than 90 days past due (money, in currency).';
comment on column bi.ar_aging.balance_due is 'All the balances: the sum of the five buckets (money, in currency).';

-- DSO per month (the simple method): receivables at the period's end / invoiced in the period x days in the period.
-- Receivables at a day's end: invoices posted (sent) and issued by then, less those voided by then, less payments
-- applied by then; so they are the running sum of each month's issued, voided and applied amounts. The current
-- month's period runs to today.
create or replace view bi.days_sales_outstanding as
-- Each posted invoice once, with its total as app.invoice_balances keeps it: it added to receivables in the month it
-- was issued and, if voided, left them in the month it was; receivables less what was applied to them in the month
-- it was.
with posted as (
    select
        i.currency,
        i.issue_date,
        i.voided_at,
        coalesce(b.total, 0) as total
    from app.invoices as i
    left join app.invoice_balances as b on i.tenant_id = b.tenant_id and i.id = b.invoice_id
    where i.sent_at is not null and i.issue_date is not null
),

changes as (
    select
        p.currency,
        internal.report_month(p.issue_date) as month,
        p.total as invoiced,
        p.total as change
    from posted as p
    union all
    select
        p.currency,
        internal.report_month(internal.report_date(p.voided_at)) as month,
        0 as invoiced,
        -p.total as change
    from posted as p
    where p.voided_at is not null
    union all
    select
        i.currency,
        internal.report_month(internal.report_date(a.applied_at)) as month,
        0 as invoiced,
        -a.amount as change
    from app.payment_applications as a
    inner join app.invoices as i on a.tenant_id = i.tenant_id and a.invoice_id = i.id
    where i.sent_at is not null and i.issue_date is not null
),

by_month as (
    select
        c.currency,
        c.month,
        sum(c.invoiced) as invoiced,
        sum(c.change) as change
    from changes as c
    group by c.currency, c.month
),

months as (
    select
        b.currency,
        m.month::date as month
    from (
        select
            c.currency,
            min(c.month) as first_month,
            max(c.month) as last_month
        from by_month as c
        group by c.currency
    ) as b
    cross join lateral generate_series(
        b.first_month::timestamp,
        greatest(b.last_month, internal.report_month(internal.report_today()))::timestamp,
        interval '1 month'
    ) as m (month)
),

monthly as (
    select
        m.currency,
        m.month,
        coalesce(sum(c.invoiced), 0) as invoiced,
        sum(coalesce(sum(c.change), 0)) over (partition by m.currency order by m.month) as receivables,
        case
            when m.month = internal.report_month(internal.report_today())
                then internal.report_today() - m.month + 1
            else (m.month + interval '1 month')::date - m.month
        end as days
    from months as m
    left join by_month as c on m.currency = c.currency and m.month = c.month
    group by m.currency, m.month
)

select
    m.month,
    m.currency,
    m.invoiced::app.money as invoiced,
    m.receivables::app.money as receivables,
    m.days::integer as days,
    round(m.receivables / nullif(m.invoiced, 0) * m.days, 2) as dso_days
from monthly as m;

comment on view bi.days_sales_outstanding is
'Days sales outstanding by month (UTC) and currency, from the first month with an invoice to the current one: '
'receivables at the end of the month / invoiced in the month x the month''s days. The current month runs to today.';
comment on column bi.days_sales_outstanding.month is 'The month (date, its first day, UTC).';
comment on column bi.days_sales_outstanding.currency is 'The invoices'' currency (ISO 4217).';
comment on column bi.days_sales_outstanding.invoiced is
'Totals with tax of invoices posted with an issue date in the month, void ones included (money, in currency).';
comment on column bi.days_sales_outstanding.receivables is
'What was owed at the end of the month (today for the current month): posted invoices issued by then, not voided '
'by then, less payments applied by then (money, in currency).';
comment on column bi.days_sales_outstanding.days is 'Days in the period: the month''s, or the current month''s so far.';
comment on column bi.days_sales_outstanding.dso_days is
'receivables / invoiced x days (days, rounded to 2 decimals); null in a month with nothing invoiced.';

-- What drafting every project now would bill, by project (internal.unbilled_tasks: seed 000's rules), beside what
-- is drafted already and not sent. Amounts before tax (a draft's tax rate is chosen when it is made).
create or replace view bi.unbilled_wip as
with ready as (
    select
        u.tenant_id,
        u.project_id,
        count(*) as tasks,
        coalesce(sum(u.quantity) filter (where u.billing_type = 'hourly'), 0) as hours,
        coalesce(sum(u.amount) filter (where u.billing_type = 'fixed'), 0) as fixed_value,
        coalesce(sum(u.amount) filter (where u.billing_type = 'milestone'), 0) as milestone_value,
        coalesce(sum(u.amount) filter (where u.billing_type = 'hourly'), 0) as hourly_value,
        sum(u.amount) as unbilled_value
    from internal.unbilled_tasks as u
    group by u.tenant_id, u.project_id
),

drafted as (
    select
        i.tenant_id,
        i.project_id,
        sum(l.line_total) as drafted_value
    from app.invoices as i
    inner join app.invoice_lines as l on i.tenant_id = l.tenant_id and i.id = l.invoice_id
    where i.status = 'draft' and i.project_id is not null
    group by i.tenant_id, i.project_id
)

select
    p.id as project_id,
    p.project_code,
    p.client_id,
    p.status,
    coalesce(r.tasks, 0)::integer as ready_tasks,
    coalesce(r.hours, 0)::app.hours as ready_hours,
    coalesce(r.fixed_value, 0)::app.money as fixed_value,
    coalesce(r.milestone_value, 0)::app.money as milestone_value,
    coalesce(r.hourly_value, 0)::app.money as hourly_value,
    coalesce(r.unbilled_value, 0)::app.money as unbilled_value,
    coalesce(d.drafted_value, 0)::app.money as drafted_value
from app.projects as p
left join ready as r on p.tenant_id = r.tenant_id and p.id = r.project_id
left join drafted as d on p.tenant_id = d.tenant_id and p.id = d.project_id
where r.project_id is not null or d.project_id is not null;

comment on view bi.unbilled_wip is
'Unbilled work in progress now: one row per project with delivered work not yet on an invoice (what a draft would '
'bill, by seed 000''s rules) or on a draft not yet sent. Amounts before tax, in the currency drafts are made in.';
comment on column bi.unbilled_wip.project_id is 'The project''s id.';
comment on column bi.unbilled_wip.project_code is 'The project''s code (PRJ-...).';
comment on column bi.unbilled_wip.client_id is 'The client it would be billed to (bi.clients.id); null: none yet.';
comment on column bi.unbilled_wip.status is 'The project''s status.';
comment on column bi.unbilled_wip.ready_tasks is 'Tasks a draft would bill now (count).';
comment on column bi.unbilled_wip.ready_hours is
'Hours on those hourly tasks, less time against a contract line, which the contract bills (hours).';
comment on column bi.unbilled_wip.fixed_value is 'Fixed tasks completed, approved or client_approved (money).';
comment on column bi.unbilled_wip.milestone_value is 'Approval tasks billed as milestones, approved (money).';
comment on column bi.unbilled_wip.hourly_value is
'Hourly tasks completed, approved or client_approved: hours x the task''s hourly rate, each task rounded to '
'cents (money).';
comment on column bi.unbilled_wip.unbilled_value is 'fixed_value + milestone_value + hourly_value (money).';
comment on column bi.unbilled_wip.drafted_value is
'Line totals of the project''s draft invoices, not yet sent (money).';
