-- Undo 0016: the delivery shapes and vocabularies go, and with them (cascade) the functions that take them and the
-- views that answer in them; the previous release's repeatable files make those again, over jsonb and text.
drop type if exists api.template_task, api.template_stage, api.approval_revision cascade;
drop domain if exists
api.template_create, api.template_stages_json, api.template_tasks_json, api.project_create, api.project_patch,
api.task_create, api.task_patch, api.time_entry_create, api.time_entry_patch, api.comment_create, api.file_create,
api.approval_create, api.task_activity_create cascade;
drop type if exists
api.template_fields, api.template_stage_fields, api.template_task_fields, api.project_fields,
api.project_patch_fields, api.task_fields, api.task_patch_fields, api.time_entry_fields, api.time_entry_patch_fields,
api.comment_fields, api.file_fields, api.approval_fields, api.task_activity_fields cascade;
drop domain if exists app.health, app.approval_decision, app.task_activity_type cascade;
