-- Undo 0005: the delivery tables.
drop table if exists app.file_access_logs, app.files, app.approval_revisions, app.approvals, app.task_activity_logs,
app.comments, app.time_entries, app.task_assignees, app.tasks, app.stages, app.projects, app.template_tasks,
app.template_stages, app.templates, app.task_status_transitions cascade;
delete from app.role_permissions
where permission = 'tasks:all' or (role = 'qc' and permission = 'tasks:read');
delete from app.permissions
where name = 'tasks:all';
