-- BI views of time: utilization per person and week, realization per project. Weeks start on Monday
-- (internal.report_week), work dates are the dates time was logged for.

-- Billable hours are hours on tasks billed hourly (time is logged only on those, but a task may be re-typed later);
-- capacity is the person's weekly hours (app.users.weekly_capacity_hours, 40 unless set; its value now, for every
-- week). Every week from the person's first logged week to the current one (to the week they were disabled, for a
-- disabled user) has a row, weeks without time too.
create or replace view bi.utilization as
-- Hours per person and week as app.user_week_hours keeps them (a row per week with time logged).
with logged as (
    select
        w.tenant_id,
        w.user_id,
        w.week,
        w.hours,
        w.billable_hours
    from app.user_week_hours as w
    where w.hours > 0
),

spans as (
    select
        l.tenant_id,
        l.user_id,
        min(l.week) as first_week,
        greatest(
            max(l.week),
            internal.report_week(least(internal.report_today(), internal.report_date(max(u.disabled_at))))
        ) as last_week
    from logged as l
    inner join app.users as u on l.tenant_id = u.tenant_id and l.user_id = u.id
    group by l.tenant_id, l.user_id
)

select
    u.id as user_id,
    u.full_name as user_name,
    u.role,
    w.week::date as week,
    u.weekly_capacity_hours as capacity_hours,
    coalesce(l.hours, 0)::app.hours as hours_logged,
    coalesce(l.billable_hours, 0)::app.hours as billable_hours,
    round(100 * coalesce(l.billable_hours, 0) / nullif(u.weekly_capacity_hours, 0), 2) as utilization_pct
from spans as s
inner join app.users as u on s.tenant_id = u.tenant_id and s.user_id = u.id
cross join lateral generate_series(s.first_week::timestamp, s.last_week::timestamp, interval '1 week') as w (week)
left join logged as l on s.tenant_id = l.tenant_id and s.user_id = l.user_id and w.week::date = l.week;

comment on view bi.utilization is
'Utilization per person and week (weeks start on Monday): billable hours against the person''s weekly capacity. '
'Every week from the person''s first logged week to the current one (or the week they were disabled) has a row.';
comment on column bi.utilization.user_id is 'The person''s user id.';
comment on column bi.utilization.user_name is 'The person''s name.';
comment on column bi.utilization.role is 'The person''s role now (designer, production, ...).';
comment on column bi.utilization.week is 'The week''s Monday (date).';
comment on column bi.utilization.capacity_hours is
'Hours a week the person is available (their weekly_capacity_hours now; 40 unless set) (hours).';
comment on column bi.utilization.hours_logged is 'Hours the person logged with a work date in the week (hours).';
comment on column bi.utilization.billable_hours is 'Of those, hours on tasks billed hourly (hours).';
comment on column bi.utilization.utilization_pct is
'billable_hours / capacity_hours x 100 (percent, rounded to 2 decimals; over 100 with overtime); null with no '
'capacity.';

-- Realization = what was billed for the hours / what the hours are worth at the standard rate. The standard rate of
-- an hour is its task's hourly rate (what a draft bills it at); hours against a contract line are the contract's to
-- bill and left out. Hours not billed yet (or never: a cancelled task) count in the standard value only.
create or replace view bi.realization as
-- Each project's hourly tasks' hours, worth and billed amount, as app.project_totals keeps them.
select
    p.id as project_id,
    p.project_code,
    p.client_id,
    x.realized_hours::app.hours as hours,
    x.standard_value::app.money as standard_value,
    x.realized_billed::app.money as billed_amount,
    round(100 * x.realized_billed / nullif(x.standard_value, 0), 2) as realization_pct
from app.project_totals as x
inner join app.projects as p on x.tenant_id = p.tenant_id and x.project_id = p.id
where x.realized_hours > 0;

comment on view bi.realization is
'Realization per project with hours on hourly tasks: billed amount / (hours x standard rate), the standard rate '
'being each task''s hourly rate. Time against a contract line is left out (the contract bills it).';
comment on column bi.realization.project_id is 'The project''s id.';
comment on column bi.realization.project_code is 'The project''s code (PRJ-...).';
comment on column bi.realization.client_id is 'The project''s client (bi.clients.id).';
comment on column bi.realization.hours is 'Hours logged on the project''s hourly tasks, less contract time (hours).';
comment on column bi.realization.standard_value is
'Those hours x their task''s hourly rate, each task rounded to cents as its invoice line would be (money).';
comment on column bi.realization.billed_amount is
'Line totals of posted invoices (sent, partial, paid) billing those tasks, before tax (money).';
comment on column bi.realization.realization_pct is
'billed_amount / standard_value x 100 (percent, rounded to 2 decimals); null when the standard value is 0.';
