-- The client portal's views (seed 003 §4, seed 000): owned by the portal door, whose policies
-- (db/policies/0900_portal.sql) keep every row to the session's client, its projects and what it may see.

-- Invoice totals and payments, read as the owner (tenant-scoped) for the invoices a door view has already chosen:
-- a contact sees an invoice's balance without seeing its lines' internals or other clients' payments.
create or replace view internal.invoice_totals as
select
    i.tenant_id,
    i.id as invoice_id,
    coalesce(l.subtotal, 0)::app.money as subtotal,
    coalesce(l.tax_total, 0)::app.money as tax_total,
    coalesce(l.subtotal + l.tax_total, 0)::app.money as total,
    coalesce(a.paid, 0)::app.money as amount_paid,
    (coalesce(l.subtotal + l.tax_total, 0) - coalesce(a.paid, 0))::app.money as balance_due
from app.invoices as i
left join lateral (
    select
        sum(x.line_total) as subtotal,
        sum(x.tax_amount) as tax_total
    from app.invoice_lines as x where x.tenant_id = i.tenant_id and x.invoice_id = i.id
) as l on true
left join lateral (
    select sum(y.amount) as paid
    from app.payment_applications as y where y.tenant_id = i.tenant_id and y.invoice_id = i.id
) as a on true;

create or replace view portal.me as
select
    c.id,
    c.name,
    c.email::text as email,
    c.client_id,
    cl.name as client_name,
    t.name as tenant_name,
    internal.portal_capabilities() as capabilities,
    internal.current_portal_project_id() as project_id
from app.contacts as c
inner join app.clients as cl on c.tenant_id = cl.tenant_id and c.client_id = cl.id
inner join app.tenants as t on c.tenant_id = t.id
where c.id = internal.current_contact_id();
comment on view portal.me is 'The signed-in contact, its client, and what it may do (view, approve, upload, pay).';
comment on column portal.me.project_id is 'The one project a share link''s session reaches (null: every project).';

-- A project's stage progress, for orders and projects alike.
create or replace view portal.stage_progress as
select
    s.project_id,
    count(*)::integer as stages_total,
    (count(*) filter (where s.status = 'completed'))::integer as stages_completed,
    (round(100.0 * count(*) filter (where s.status = 'completed') / count(*)))::integer
        as progress_percent,
    (array_agg(s.name order by s.sequence) filter (where s.status <> 'completed'))[1] as current_stage
from app.stages as s
group by s.project_id;

create or replace view portal.orders as
select
    o.id,
    o.order_number,
    o.status,
    o.project_type,
    o.priority,
    o.promised_date,
    o.currency::text as currency,
    o.po_number,
    p.id as project_id,
    p.name as project_name,
    coalesce(g.stages_total, 0) as stages_total,
    coalesce(g.stages_completed, 0) as stages_completed,
    coalesce(g.progress_percent, 0) as progress_percent,
    g.current_stage,
    coalesce((
        select sum(x.balance_due) from app.invoices as i
        inner join internal.invoice_totals as x on i.tenant_id = x.tenant_id and i.id = x.invoice_id
        where i.tenant_id = o.tenant_id and i.order_id = o.id and i.status in ('sent', 'partial')
    ), 0)::app.money as balance_due,
    o.created_at,
    o.completed_at
from app.orders as o
left join lateral (
    select
        x.id,
        x.name
    from app.projects as x
    where x.tenant_id = o.tenant_id and x.order_id = o.id
    order by x.created_at limit 1
) as p on true
left join portal.stage_progress as g on p.id = g.project_id;
comment on view portal.orders is 'The client''s orders with their stage progress and what is still to pay.';
comment on column portal.orders.progress_percent is 'Stages completed out of the project''s stages, in %.';
comment on column portal.orders.current_stage is 'The first stage not yet completed (null when all are).';
comment on column portal.orders.balance_due is
'What the order''s sent invoices still ask for, in the order''s currency.';

-- What happened to an order, oldest first: placed, each stage started and finished, each approval asked and
-- decided, each invoice sent, completed.
create or replace view portal.order_timeline as
select
    o.id as order_id,
    o.created_at as occurred_at,
    0 as step,
    'order_placed' as kind,
    format('Order %s placed', o.order_number) as title
from app.orders as o
union all
select
    p.order_id,
    s.started_at as occurred_at,
    1 as step,
    'stage_started' as kind,
    format('%s started', s.name) as title
from app.stages as s inner join app.projects as p on s.tenant_id = p.tenant_id and s.project_id = p.id
where s.started_at is not null and p.order_id is not null
union all
select
    p.order_id,
    s.completed_at as occurred_at,
    4 as step,
    'stage_completed' as kind,
    format('%s completed', s.name) as title
from app.stages as s inner join app.projects as p on s.tenant_id = p.tenant_id and s.project_id = p.id
where s.completed_at is not null and p.order_id is not null
union all
select
    p.order_id,
    a.created_at as occurred_at,
    2 as step,
    'approval_requested' as kind,
    format('Your approval was asked for %s', s.name) as title
from app.approvals as a
inner join app.stages as s on a.tenant_id = s.tenant_id and a.stage_id = s.id
inner join app.projects as p on a.tenant_id = p.tenant_id and a.project_id = p.id
where p.order_id is not null
union all
select
    p.order_id,
    a.decided_at as occurred_at,
    3 as step,
    'approval_' || a.status as kind,
    format('%s %s', s.name, case a.status when 'approved' then 'approved' else 'sent back for a revision' end) as title
from app.approvals as a
inner join app.stages as s on a.tenant_id = s.tenant_id and a.stage_id = s.id
inner join app.projects as p on a.tenant_id = p.tenant_id and a.project_id = p.id
where p.order_id is not null and a.decided_at is not null
union all
select
    i.order_id,
    i.sent_at as occurred_at,
    5 as step,
    'invoice_sent' as kind,
    format('Invoice %s sent', i.invoice_number) as title
from app.invoices as i
where i.order_id is not null and i.sent_at is not null
union all
select
    o.id as order_id,
    o.completed_at as occurred_at,
    6 as step,
    'order_completed' as kind,
    format('Order %s completed', o.order_number) as title
from app.orders as o
where o.completed_at is not null;
comment on view portal.order_timeline is 'What happened to each order, as the client is told it.';
comment on column portal.order_timeline.step is
'Orders events of the same moment: placed, started, asked, decided, completed, invoiced.';

create or replace view portal.projects as
select
    p.id,
    p.project_code,
    p.name,
    p.order_id,
    p.status,
    p.start_date,
    p.due_date,
    p.completed_at,
    coalesce(g.stages_total, 0) as stages_total,
    coalesce(g.stages_completed, 0) as stages_completed,
    coalesce(g.progress_percent, 0) as progress_percent,
    g.current_stage,
    s.health
from app.projects as p
left join portal.stage_progress as g on p.id = g.project_id
-- Joined on the project's key (not outer): the signals are computed for the client's projects only.
inner join internal.project_signals as s on p.tenant_id = s.tenant_id and p.id = s.project_id;
-- Made by an earlier version of the portal files: project health has one rule, internal.project_signals.health.
drop function if exists internal.health_colour(text, timestamptz, integer, boolean);
comment on view portal.projects is 'The client''s projects as boards: progress, due dates and health (seed 000).';
comment on column portal.projects.health is
'green, yellow (1-2 overdue tasks) or red (3 or more, or no update for 7 days), as the team sees it.';

create or replace view portal.stages as
select
    s.id,
    s.project_id,
    s.sequence,
    s.name,
    s.status,
    s.started_at,
    s.due_at,
    s.completed_at
from app.stages as s;
comment on view portal.stages is 'The phases of the client''s projects, in order.';

create or replace view portal.tasks as
select
    t.id,
    t.project_id,
    t.stage_id,
    t.sequence,
    t.title,
    t.kind,
    t.status,
    t.due_date,
    t.completed_at
from app.tasks as t;
comment on view portal.tasks is 'The steps of the client''s projects that the team shows the client.';

create or replace view portal.approvals as
select
    a.id,
    a.project_id,
    a.stage_id,
    s.name as stage_name,
    a.status,
    a.expires_at,
    a.decided_at,
    a.decision_comment,
    a.decided_by_contact_id,
    (a.status = 'pending' and a.expires_at > now() and internal.portal_can('approve')) as can_decide,
    a.created_at
from app.approvals as a
inner join app.stages as s on a.tenant_id = s.tenant_id and a.stage_id = s.id;
comment on view portal.approvals is 'Approvals asked of the client, open and decided.';
comment on column portal.approvals.can_decide is 'Open, not expired, and this contact may approve.';

create or replace view portal.invoices as
select
    i.id,
    i.invoice_number,
    i.order_id,
    i.project_id,
    i.kind,
    i.status,
    i.issue_date,
    i.due_date,
    i.currency::text as currency,
    x.subtotal,
    x.tax_total,
    x.total,
    x.amount_paid,
    x.balance_due,
    i.sent_at
from app.invoices as i
inner join internal.invoice_totals as x on i.tenant_id = x.tenant_id and i.id = x.invoice_id;
comment on view portal.invoices is 'The client''s invoices (never drafts) with what is paid and what is due.';

create or replace view portal.payments as
select
    p.id,
    p.payment_number,
    p.method,
    p.amount,
    p.currency::text as currency,
    p.received_at,
    p.status
from app.payments as p;
comment on view portal.payments is 'The client''s payments.';

create or replace view portal.files as
select
    f.id,
    f.project_id,
    p.order_id,
    f.task_id,
    f.file_name,
    f.content_type,
    f.size_bytes,
    f.state,
    (f.uploaded_by_contact_id is not null) as from_client,
    (f.uploaded_by_contact_id = internal.current_contact_id()) as uploaded_by_me,
    f.created_at,
    f.confirmed_at
from app.files as f
left join app.projects as p on f.tenant_id = p.tenant_id and f.project_id = p.id;
comment on view portal.files is
'Files the team shared with the client, and the client''s own uploads (pending_scan until checked).';

create or replace view portal.comments as
select
    c.id,
    c.task_id,
    c.body,
    coalesce(ct.name, t.name) as author_name,
    (c.author_contact_id is not null) as from_client,
    c.created_at
from app.comments as c
left join app.contacts as ct on c.tenant_id = ct.tenant_id and c.author_contact_id = ct.id
inner join app.tenants as t on c.tenant_id = t.id;
comment on view portal.comments is 'Comments on the client''s visible tasks that the client is shown.';
comment on column portal.comments.author_name is 'The contact who wrote it, or the firm''s name for its team.';

create or replace view portal.contracts as
select
    a.id as client_contract_id,
    c.id as contract_id,
    c.name,
    c.description,
    c.billing_frequency,
    c.currency::text as currency,
    a.start_date,
    a.end_date,
    a.po_number,
    internal.assignment_status(a.is_active, a.terminated_at, a.start_date, a.end_date, a.renewal_state, current_date)
        as status
from app.client_contracts as a
inner join app.contracts as c on a.tenant_id = c.tenant_id and a.contract_id = c.id;
comment on view portal.contracts is 'The client''s contracts, each with its status from the assignment (seed 001).';
