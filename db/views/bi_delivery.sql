-- BI delivery views: work in progress (seed 003 §6.5), project health (seed 000), on-time delivery (§6.2) and
-- revisions by stage (§6.3). Dates are UTC dates (internal.report_date), months their first day.

-- Open tasks are those not done in any done status (internal.task_done_statuses()).
create or replace view bi.wip as
select
    pr.project_code,
    pr.status,
    ps.stage_code,
    ps.status as stage_status,
    ps.due_at,
    extract(epoch from (ps.due_at - now())) / 3600 as hours_remaining,
    o.open_tasks
from app.projects as pr
inner join app.stages as ps on pr.tenant_id = ps.tenant_id and pr.id = ps.project_id
-- Counted stage by stage from its own tasks (index_tasks_on_stage_id), not by sorting all the open stages' tasks.
cross join
    lateral (  -- noqa: ST05
        select count(*) as open_tasks
        from app.tasks as t
        where t.tenant_id = ps.tenant_id and t.stage_id = ps.id and t.status <> all(internal.task_done_statuses())
    ) as o
where pr.status not in ('completed', 'cancelled') and ps.status <> 'completed'
order by ps.due_at;

comment on view bi.wip is
'Work in progress: one row per stage not completed of each project not completed or cancelled, soonest due first.';
comment on column bi.wip.project_code is 'The project''s code (PRJ-...).';
comment on column bi.wip.status is 'The project''s status: planning, active or on_hold.';
comment on column bi.wip.stage_code is 'The stage''s code within its project (design, print, ...).';
comment on column bi.wip.stage_status is 'The stage''s status: pending, active, revision or overdue.';
comment on column bi.wip.due_at is 'When the stage is due (timestamp with time zone); null until it starts.';
comment on column bi.wip.hours_remaining is
'Hours from now to due_at (numeric, fractional); negative once overdue, null when there is no due time.';
comment on column bi.wip.open_tasks is
'Tasks of the stage not done (done: completed, approved, client_approved or cancelled).';

-- The colour rule is internal.health_colour and internal.project_stale (seed 000), as api.projects' health;
-- db/tests/test_bi_delivery.sql holds the two views to the same colours.
create or replace view bi.project_health as
select
    p.id as project_id,
    p.project_code,
    p.name,
    p.client_id,
    p.status,
    x.overdue_tasks,
    x.stale,
    internal.health_colour(x.overdue_tasks, x.stale) as health
from app.projects as p
left join internal.tenant_project_signals as s on p.id = s.project_id
-- A lateral, so the two signals the colour reads are written once.
cross join lateral (  -- noqa: ST05
    select
        coalesce(s.overdue_tasks, 0) as overdue_tasks,
        internal.project_stale(p.status, p.created_at, coalesce(s.recently_updated, false)) as stale
) as x;

comment on view bi.project_health is
'One row per project with its health now (seed 000): green, yellow or red from its overdue tasks and staleness.';
comment on column bi.project_health.project_id is 'The project''s id.';
comment on column bi.project_health.project_code is 'The project''s code (PRJ-...).';
comment on column bi.project_health.name is 'The project''s name.';
comment on column bi.project_health.client_id is 'The project''s client (bi.clients.id); null for an internal project.';
comment on column bi.project_health.status is
'The project''s status: planning, active, on_hold, completed or cancelled.';
comment on column bi.project_health.overdue_tasks is
'Open tasks (not completed, approved, client_approved or cancelled) whose due date is before today (count).';
comment on column bi.project_health.stale is
'True for an open project (planning, active, on_hold) created over 7 days ago with no task updated in 7 days.';
comment on column bi.project_health.health is 'green: no overdue task; yellow: 1 or 2; red: 3 or more, or stale.';

-- Seed 003 §6.2, by the month a job was delivered: an order with a promised date whose project is completed is on
-- time when the project's completion (UTC date) is on or before the promised date. Cancelled orders do not count.
create or replace view bi.on_time_delivery as
with delivered as (
    select
        internal.report_date(p.completed_at) as delivered_on,
        o.promised_date
    from app.orders as o
    inner join app.projects as p on o.tenant_id = p.tenant_id and o.id = p.order_id
    where
        o.status <> 'cancelled' and o.promised_date is not null
        and p.status = 'completed' and p.completed_at is not null
)

select
    internal.report_month(d.delivered_on) as month,
    count(*)::integer as delivered,
    count(*) filter (where d.delivered_on <= d.promised_date)::integer as on_time,
    count(*) filter (where d.delivered_on > d.promised_date)::integer as late,
    round(100.0 * count(*) filter (where d.delivered_on <= d.promised_date) / count(*), 2) as on_time_pct
from delivered as d
group by internal.report_month(d.delivered_on);

comment on view bi.on_time_delivery is
'One row per month (UTC) in which jobs were delivered: orders with a promised date whose project completed that '
'month, and how many were on time (completed on or before the promised date). Months with no delivery have no row.';
comment on column bi.on_time_delivery.month is
'The month the projects completed in (date, its first day; completion taken as its UTC date).';
comment on column bi.on_time_delivery.delivered is 'Jobs delivered in the month (count).';
comment on column bi.on_time_delivery.on_time is 'Of those, completed on or before the promised date (count).';
comment on column bi.on_time_delivery.late is 'Of those, completed after the promised date (count).';
comment on column bi.on_time_delivery.on_time_pct is 'on_time / delivered x 100 (percent, rounded to 2 decimals).';

-- Seed 003 §6.3: revisions requested on approvals, by stage code, beside how many stages have that code.
create or replace view bi.revisions_by_stage as
with revised as (
    select
        r.tenant_id,
        r.stage_id,
        count(*) as revisions
    from app.approval_revisions as r
    group by r.tenant_id, r.stage_id
)

select
    s.stage_code,
    count(*)::integer as stages,
    count(r.stage_id)::integer as revised_stages,
    coalesce(sum(r.revisions), 0)::integer as revisions,
    round(coalesce(sum(r.revisions), 0) / count(*)::numeric, 2) as revisions_per_stage
from app.stages as s
left join revised as r on s.tenant_id = r.tenant_id and s.id = r.stage_id
group by s.stage_code;

comment on view bi.revisions_by_stage is
'One row per stage code: how many stages of all projects have it, how many had a revision requested, and how many '
'revisions (approval_revisions) were requested in all.';
comment on column bi.revisions_by_stage.stage_code is 'The stage code (design, print, ...).';
comment on column bi.revisions_by_stage.stages is 'Stages with this code, in every project (count).';
comment on column bi.revisions_by_stage.revised_stages is 'Of those, stages with at least one revision (count).';
comment on column bi.revisions_by_stage.revisions is 'Revisions requested on those stages'' approvals (count).';
comment on column bi.revisions_by_stage.revisions_per_stage is
'revisions / stages (revisions per stage, rounded to 2 decimals).';
