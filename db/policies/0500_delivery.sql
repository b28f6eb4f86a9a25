-- Who may see and change delivery: projects:read / projects:write for templates, projects and stages;
-- tasks:read / tasks:write for tasks and what hangs off them, and (seed 003 §7.1) a designer sees and changes only
-- the tasks assigned to them (tasks:all lifts that); approvals:*, files:*.

select internal.permission_policies(v.table_name, v.read_permissions, v.write_permissions)
from (
    values
    ('templates', array['projects:read'], array['projects:write']),
    ('template_stages', array['projects:read'], array['projects:write']),
    ('template_tasks', array['projects:read'], array['projects:write']),
    ('projects', array['projects:read'], array['projects:write']),
    ('stages', array['projects:read'], array['projects:write']),
    ('task_assignees', array['tasks:read'], array['tasks:all']),
    ('time_entries', array['tasks:read'], array['tasks:write']),
    ('comments', array['tasks:read'], array['tasks:write']),
    ('task_activity_logs', array['tasks:read'], array['tasks:write']),
    ('approvals', array['approvals:read'], array['approvals:write']),
    ('approval_revisions', array['approvals:read'], array['approvals:write']),
    ('files', array['projects:read'], array['files:write']),
    ('file_access_logs', array['audit:read'], array['files:write'])
) as v (table_name, read_permissions, write_permissions);

-- Tasks: read with tasks:read, change with tasks:write, and either way only your own unless you hold tasks:all.
drop policy if exists tasks_read on app.tasks;
create policy tasks_read on app.tasks as restrictive for select to pgpsa_staff
using (
    internal.has_permission('tasks:read')
    and (internal.has_permission('tasks:all') or internal.current_user_id() = any(assignee_ids))
);
drop policy if exists tasks_write on app.tasks;
create policy tasks_write on app.tasks as restrictive for insert to pgpsa_staff
with check (internal.has_permission('tasks:write'));
drop policy if exists tasks_update on app.tasks;
create policy tasks_update on app.tasks as restrictive for update to pgpsa_staff
using (
    internal.has_permission('tasks:write')
    and (internal.has_permission('tasks:all') or internal.current_user_id() = any(assignee_ids))
);
drop policy if exists tasks_delete on app.tasks;
create policy tasks_delete on app.tasks as restrictive for delete to pgpsa_staff
using (internal.has_permission('projects:write'));

-- Time is logged for yourself unless you hold tasks:all.
drop policy if exists time_entries_own on app.time_entries;
create policy time_entries_own on app.time_entries as restrictive for all to pgpsa_staff
using (internal.has_permission('tasks:all') or user_id = internal.current_user_id())
with check (internal.has_permission('tasks:all') or user_id = internal.current_user_id());

alter table app.task_status_transitions enable row level security;
alter table app.task_status_transitions force row level security;
drop policy if exists task_status_transitions_read on app.task_status_transitions;
create policy task_status_transitions_read on app.task_status_transitions for select to pgpsa_staff, pgpsa_owner
using (true);

grant select on app.task_status_transitions to pgpsa_staff;
grant select, insert, update, delete on app.templates, app.template_stages, app.template_tasks to pgpsa_staff;
grant select, update (name, status, due_date, budget_hours, share_token_hash),
insert (
    tenant_id, project_code, name, project_type, client_id, order_id, template_id, start_date, due_date, budget_hours
)
on app.projects to pgpsa_staff;
grant select, update (status, name, sla_hours, requires_deposit),
insert (tenant_id, project_id, sequence, stage_code, name, sla_hours, requires_deposit)
on app.stages to pgpsa_staff;
grant select, delete,
insert (
    tenant_id, id, project_id, stage_id, sequence, title, description, kind, priority, due_date, estimated_hours,
    billing_type, fixed_amount, hourly_rate
),
update (
    stage_id, sequence, title, description, status, priority, due_date, estimated_hours, billing_type,
    fixed_amount, hourly_rate
)
on app.tasks to pgpsa_staff;
grant select, insert, delete on app.task_assignees to pgpsa_staff;
grant select, insert (tenant_id, task_id, user_id, work_date, hours, note, contract_line_id),
update (work_date, hours, note), delete
on app.time_entries to pgpsa_staff;
grant select, insert (tenant_id, task_id, author_user_id, body, client_visible), update (body, client_visible)
on app.comments to pgpsa_staff;
-- Written only by internal.tg_tasks__activity (as the owner): nobody forges or rewrites a task's history.
revoke insert, update, delete on app.task_activity_logs from pgpsa_staff;
grant select on app.task_activity_logs to pgpsa_staff;
grant select, update (status, reminded_at),
insert (tenant_id, project_id, stage_id, token_hash, expires_at, approver_contact_id, approver_email, requested_by)
on app.approvals to pgpsa_staff;
grant select on app.approval_revisions to pgpsa_staff;
grant select, delete,
insert (
    tenant_id, id, project_id, task_id, storage_key, file_name, content_type, size_bytes, visibility,
    uploaded_by_user_id
),
update (size_bytes, checksum_sha256, state, confirmed_at, deleted_at, visibility, file_name)
on app.files to pgpsa_staff;
grant select, insert (tenant_id, file_id, user_id, contact_id, ip) on app.file_access_logs to pgpsa_staff;
grant select (tenant_id, id, project_code, name, project_type, status, start_date, due_date, completed_at, created_at)
on app.projects to pgpsa_bi;
grant select (
    tenant_id, id, project_id, stage_code, status, due_at, started_at, completed_at
) on app.stages to pgpsa_bi;
grant select (tenant_id, id, project_id, stage_id, status, due_date, updated_at) on app.tasks to pgpsa_bi;
