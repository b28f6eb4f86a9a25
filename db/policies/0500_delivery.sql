-- Grants and row rules on delivery for the api door (the permission policies come from 0110_permissions.sql):
-- projects:* for templates, projects and stages; tasks:* for tasks and what hangs off them; approvals:*, files:*.
-- A designer (seed 003 §7.1) sees and changes only the tasks assigned to them (tasks:all lifts that).

create policy tasks_assigned_only_select on app.tasks as restrictive for select to pgpsa_door_api
using (internal.task_in_reach(assignee_ids));
create policy tasks_assigned_only_update on app.tasks as restrictive for update to pgpsa_door_api
using (internal.task_in_reach(assignee_ids));

-- Time is logged for yourself unless you hold tasks:all.
create policy time_entries_own on app.time_entries as restrictive for all to pgpsa_door_api
using (internal.has_permission('tasks:all') or user_id = internal.current_user_id())
with check (internal.has_permission('tasks:all') or user_id = internal.current_user_id());

grant select, insert, update, delete on app.templates, app.template_stages, app.template_tasks to pgpsa_door_api;
grant select, update (name, status, due_date, budget_hours, share_token_hash),
insert (
    tenant_id, project_code, name, project_type, client_id, order_id, template_id, start_date, due_date, budget_hours
)
on app.projects to pgpsa_door_api;
grant select, update (status, name, sla_hours, requires_deposit),
insert (tenant_id, project_id, sequence, stage_code, name, sla_hours, requires_deposit)
on app.stages to pgpsa_door_api;
grant select, delete,
insert (
    tenant_id, id, project_id, stage_id, sequence, title, description, kind, priority, due_date, estimated_hours,
    billing_type, fixed_amount, hourly_rate, client_visible
),
update (
    stage_id, sequence, title, description, status, priority, due_date, estimated_hours, billing_type,
    fixed_amount, hourly_rate, client_visible
)
on app.tasks to pgpsa_door_api;
grant select, insert, delete on app.task_assignees to pgpsa_door_api;
grant select, insert (tenant_id, task_id, user_id, work_date, hours, note, contract_line_id),
update (work_date, hours, note), delete
on app.time_entries to pgpsa_door_api;
grant select, insert (tenant_id, task_id, author_user_id, body, client_visible), update (body, client_visible)
on app.comments to pgpsa_door_api;
-- Written only as the owner (internal.tg_tasks__activity, internal.tg_comments__activity, internal.log_task_note,
-- internal.log_task_upload): nobody forges or rewrites a task's history.
revoke insert, update, delete on app.task_activity_logs from pgpsa_door_api;
grant select on app.task_activity_logs to pgpsa_door_api;
grant select, update (status, reminded_at),
insert (
    tenant_id, project_id, stage_id, token_hash, expires_at, approver_contact_id, approver_email, requested_by,
    token_encrypted
)
on app.approvals to pgpsa_door_api;
grant select on app.approval_revisions to pgpsa_door_api;
grant select, delete,
insert (
    tenant_id, id, project_id, task_id, storage_key, file_name, content_type, size_bytes, visibility,
    uploaded_by_user_id
),
update (size_bytes, checksum_sha256, state, confirmed_at, deleted_at, visibility, file_name)
on app.files to pgpsa_door_api;
grant select, insert (tenant_id, file_id, user_id, contact_id, ip) on app.file_access_logs to pgpsa_door_api;
-- What the bi views read of delivery (db/views/bi_*.sql): projects with their client and order, stages, tasks with
-- how they are billed, time, and revisions.
grant select (
    tenant_id, id, project_code, name, project_type, client_id, order_id, status, start_date, due_date, completed_at,
    created_at
)
on app.projects to pgpsa_door_bi;
grant select (
    tenant_id, id, project_id, stage_code, status, due_at, started_at, completed_at
) on app.stages to pgpsa_door_bi;
grant select (tenant_id, id, project_id, stage_id, status, due_date, updated_at, billing_type, hourly_rate)
on app.tasks to pgpsa_door_bi;
grant select (tenant_id, task_id, user_id, work_date, hours, contract_line_id) on app.time_entries to pgpsa_door_bi;
grant select (tenant_id, stage_id) on app.approval_revisions to pgpsa_door_bi;
