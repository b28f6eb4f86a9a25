-- Delivery as the team API shows it. Derived state (health, overdue, actual hours) is computed here, never stored,
-- and only for the rows read: each is a correlated subquery of the row it belongs to.

-- Seed 000 health, as internal.project_signals computes it per project (read as the owner, so health counts every
-- task of the project: a designer sees the same colour as a manager). Joined on the project's key, it costs a read
-- by id one project's index ranges, whatever the tenant's size; a count of projects leaves it out.
create or replace view api.project_health as
select
    p.id as project_id,
    p.project_code,
    p.status,
    s.overdue_tasks,
    s.stale,
    s.health,
    p.tenant_id
from app.projects as p
inner join internal.project_signals as s on p.tenant_id = s.tenant_id and p.id = s.project_id;

create or replace view api.projects as
select
    p.id,
    p.project_code,
    p.name,
    p.project_type,
    p.client_id,
    p.order_id,
    p.template_id,
    p.status,
    p.start_date,
    p.due_date,
    p.completed_at,
    p.budget_hours,
    coalesce((
        select sum(e.hours) from app.time_entries as e
        inner join app.tasks as t on e.tenant_id = t.tenant_id and e.task_id = t.id
        where t.tenant_id = p.tenant_id and t.project_id = p.id
    ), 0)::app.hours as actual_hours,
    s.health,
    s.overdue_tasks,
    p.created_at,
    p.updated_at,
    p.tenant_id
from app.projects as p
inner join internal.project_signals as s on p.tenant_id = s.tenant_id and p.id = s.project_id;

create or replace view api.stages as
select
    s.id,
    s.project_id,
    s.sequence,
    s.stage_code,
    s.name,
    s.sla_hours,
    s.status,
    s.started_at,
    s.due_at,
    s.completed_at,
    coalesce(s.status <> 'completed' and s.due_at < now(), false) as is_overdue,
    s.escalated_at,
    s.requires_deposit,
    s.tenant_id
from app.stages as s;

create or replace view api.tasks as
select
    t.id,
    t.project_id,
    t.stage_id,
    t.sequence,
    t.title,
    t.description,
    t.kind,
    t.status,
    t.priority,
    t.due_date,
    t.started_at,
    t.completed_at,
    t.estimated_hours,
    coalesce((
        select sum(e.hours) from app.time_entries as e where e.tenant_id = t.tenant_id and e.task_id = t.id
    ), 0)::app.hours as actual_hours,
    t.billing_type,
    t.fixed_amount,
    t.hourly_rate,
    t.assignee_ids,
    t.invoice_id,
    coalesce(
        t.due_date < current_date and t.status <> all(internal.task_done_statuses()), false
    )
        as is_overdue,
    t.created_at,
    t.updated_at,
    t.client_visible,
    t.tenant_id
from app.tasks as t;

create or replace view api.task_activity as
select
    l.id,
    l.task_id,
    l.actor_user_id,
    l.actor_contact_id,
    l.action,
    l.from_status,
    l.to_status,
    l.changes,
    l.occurred_at,
    l.tenant_id
from app.task_activity_logs as l;

-- Time and comments follow their task's visibility: a designer sees them only on the tasks assigned to them.
create or replace view api.time_entries as
select
    e.id,
    e.task_id,
    e.user_id,
    e.work_date,
    e.hours,
    e.note,
    e.created_at,
    e.updated_at,
    e.tenant_id
from app.time_entries as e
inner join app.tasks as t on e.tenant_id = t.tenant_id and e.task_id = t.id;

create or replace view api.comments as
select
    c.id,
    c.task_id,
    c.author_user_id,
    c.author_contact_id,
    c.body,
    c.client_visible,
    c.created_at,
    c.tenant_id
from app.comments as c
inner join app.tasks as t on c.tenant_id = t.tenant_id and c.task_id = t.id;

create or replace view api.approvals as
select
    a.id,
    a.project_id,
    a.stage_id,
    a.status,
    a.expires_at,
    a.approver_contact_id,
    a.approver_email,
    a.requested_by,
    a.decided_at,
    a.decision_comment,
    a.reminded_at,
    a.created_at,
    coalesce((
        select
            jsonb_agg(
                to_jsonb(row(r.revision_number, r.comment, r.requested_at)::api.approval_revision)
                order by r.revision_number
            )
        from app.approval_revisions as r where r.tenant_id = a.tenant_id and r.approval_id = a.id
    ), '[]') as revisions,
    a.tenant_id
from app.approvals as a;

create or replace view api.files as
select
    f.id,
    f.project_id,
    f.task_id,
    f.storage_key,
    f.file_name,
    f.content_type,
    f.size_bytes,
    f.checksum_sha256,
    f.visibility,
    f.state,
    f.uploaded_by_user_id,
    f.confirmed_at,
    f.created_at,
    f.tenant_id
from app.files as f
-- A task's attachment follows the task's visibility, like its time and comments.
left join app.tasks as t on f.tenant_id = t.tenant_id and f.task_id = t.id
where f.task_id is null or t.id is not null;

create or replace view api.templates as
select
    tp.id,
    tp.name,
    tp.project_type,
    tp.description,
    tp.is_active,
    tp.created_at,
    tp.updated_at,
    coalesce((
        select
            jsonb_agg(
                to_jsonb(row(
                    ts.id, ts.sequence, ts.stage_code, ts.name, ts.sla_hours, ts.requires_deposit,
                    coalesce((
                        select
                            jsonb_agg(
                                to_jsonb(row(
                                    tt.id, tt.sequence, tt.title, tt.description, tt.kind, tt.billing_type,
                                    tt.fixed_amount, tt.hourly_rate, tt.due_offset_days, tt.estimated_hours
                                )::api.template_task)
                                order by tt.sequence
                            )
                        from app.template_tasks as tt
                        where tt.tenant_id = ts.tenant_id and tt.template_stage_id = ts.id
                    ), '[]')
                )::api.template_stage)
                order by ts.sequence
            )
        from app.template_stages as ts where ts.tenant_id = tp.tenant_id and ts.template_id = tp.id
    ), '[]') as stages,
    tp.tenant_id
from app.templates as tp;

-- What the service reads from the catalog: the JSON columns' shapes (@shape <type>, [] for an array of them) and
-- the columns it uses but never returns (@internal).
comment on column api.templates.stages is 'The stages in order, each with its tasks. @shape api.template_stage[]';
comment on column api.approvals.revisions is 'The revisions asked for, oldest first. @shape api.approval_revision[]';
comment on column api.files.storage_key is 'Where the bytes are kept; the service signs URLs from it. @internal';
-- No @shape: a task's change records whichever fields changed.
comment on column api.task_activity.changes is
'By action: created, the fields; changes, {field: [old, new]}; note {body}; comment {comment_id}; upload_requested '
'{file_id, file_name}.';
comment on column api.project_health.health is
'green with no overdue task, yellow with 1 or 2, red with 3 or more or when an open project has not moved for 7 days.';

-- tenant_id: the key the service names in its reads (README, "Reads name their tenant"); never a field.
comment on column api.project_health.tenant_id is '@internal';
comment on column api.projects.tenant_id is '@internal';
comment on column api.stages.tenant_id is '@internal';
comment on column api.tasks.tenant_id is '@internal';
comment on column api.task_activity.tenant_id is '@internal';
comment on column api.time_entries.tenant_id is '@internal';
comment on column api.comments.tenant_id is '@internal';
comment on column api.approvals.tenant_id is '@internal';
comment on column api.files.tenant_id is '@internal';
comment on column api.templates.tenant_id is '@internal';
