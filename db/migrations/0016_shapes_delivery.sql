-- Delivery's shapes, as 0015_shapes.sql declares them for clients: what each delivery operation takes (templates,
-- projects, tasks, time, comments, files, approvals, a task's activity), typed with the columns' own domains, and
-- the shapes of the JSON the delivery views answer with (a template's stages and tasks, an approval's revisions).
-- The vocabularies the API speaks beyond the tables: a project's health, an approver's decision, an activity type.
-- depends: 0015_shapes

-- Vocabularies (the style of 0014_domains.sql: one list of words each, with its words in the refusal).
select internal.create_vocabulary(x.domain_name, x.words::text[], x.what) from (
    values
    ('health', '{green,yellow,red}', 'A health'),
    ('approval_decision', '{approved,revision}', 'A decision'),
    ('task_activity_type', '{comment,note,upload}', 'An activity type')
) as x (domain_name, words, what);
comment on domain app.health is 'A project''s health (seed 000): green, yellow or red, by its late and idle work.';
comment on domain app.approval_decision is 'An approver''s decision: approved, or revision (asks for changes).';
comment on domain app.task_activity_type is
'What is appended to a task''s activity: a comment, a note (a log entry), or an upload (a file to come).';

-- Templates: a template, its stages in order, each stage's tasks in order.
create type api.template_task_fields as (
    title app.label,
    description app.note,
    kind app.task_kind,
    billing_type app.billing_type,
    fixed_amount app.money,
    hourly_rate app.money,
    due_offset_days integer,
    estimated_hours app.hours
);
comment on type api.template_task_fields is 'A task of a template stage, copied into every project made from it.';
comment on column api.template_task_fields.kind is 'task (the default), document (needs an attachment) or approval.';
comment on column api.template_task_fields.billing_type is
'How the task bills (non_billable by default); setting it needs billing:write.';
comment on column api.template_task_fields.due_offset_days is
'Days from the project''s start date to the task''s due date (0 by default).';
create domain api.template_tasks_json as jsonb constraint check_template_tasks_json check (
    internal.conforms_each(value, 'api.template_task_fields', '{title}')
);

create type api.template_stage_fields as (
    stage_code app.code,
    name app.label,
    sla_hours integer,
    requires_deposit boolean,
    tasks api.template_tasks_json
);
comment on type api.template_stage_fields is 'A stage of a template; stages run in the order they are given.';
comment on column api.template_stage_fields.stage_code is 'The stage''s code, unique in the template.';
comment on column api.template_stage_fields.sla_hours is 'Hours the stage has, from its start, before it is overdue.';
comment on column api.template_stage_fields.requires_deposit is
'The stage waits for the project''s deposit to be paid before it starts (false by default).';
comment on column api.template_stage_fields.tasks is 'The stage''s tasks, in order.';
create domain api.template_stages_json as jsonb constraint check_template_stages_json check (
    internal.conforms_each(value, 'api.template_stage_fields', '{stage_code,name,sla_hours}')
);

create type api.template_fields as (
    name app.label,
    project_type app.project_type,
    description app.note,
    stages api.template_stages_json
);
comment on type api.template_fields is 'A project template: the stages and tasks a project of its type starts with.';
comment on column api.template_fields.project_type is
'The project type it serves (one active template per type); an order of that type gets it.';
comment on column api.template_fields.stages is 'The stages, in order, each with its tasks.';
create domain api.template_create as jsonb constraint check_template_create check (
    internal.conforms(value, 'api.template_fields', '{name,project_type}')
);

-- Projects.
create type api.project_fields as (
    name app.label,
    project_type app.project_type,
    client_id uuid,
    order_id uuid,
    template_id uuid,
    start_date date,
    due_date date,
    budget_hours app.hours
);
comment on type api.project_fields is 'A new project, empty or cloned from a template.';
comment on column api.project_fields.project_type is 'Defaults to the template''s.';
comment on column api.project_fields.template_id is 'Clone this template''s stages and tasks.';
comment on column api.project_fields.start_date is 'Today by default; template due offsets count from it.';
create domain api.project_create as jsonb constraint check_project_create check (
    internal.conforms(value, 'api.project_fields', '{name}')
);

create type api.project_patch_fields as (
    name app.label,
    due_date date,
    budget_hours app.hours,
    status app.project_status
);
comment on type api.project_patch_fields is 'A project''s changeable fields.';
comment on column api.project_patch_fields.status is 'A project completes with its last stage, not by hand.';
create domain api.project_patch as jsonb constraint check_project_patch check (
    internal.conforms(value, 'api.project_patch_fields', '{}', '{name,status}')
);

-- Tasks.
create type api.task_fields as (
    project_stage_id uuid,
    title app.label,
    description app.note,
    kind app.task_kind,
    priority app.priority,
    due_date date,
    estimated_hours app.hours,
    billing_type app.billing_type,
    fixed_amount app.money,
    hourly_rate app.money,
    assignee_ids uuid []
);
comment on type api.task_fields is 'A new task in a project stage.';
comment on column api.task_fields.project_stage_id is 'The stage the task belongs to (and so its project).';
comment on column api.task_fields.billing_type is
'How the task bills (non_billable by default); billing fields need billing:write.';
comment on column api.task_fields.assignee_ids is 'The users the task is assigned to.';
create domain api.task_create as jsonb constraint check_task_create check (
    internal.conforms(value, 'api.task_fields', '{project_stage_id,title}')
);

create type api.task_patch_fields as (
    title app.label,
    description app.note,
    priority app.priority,
    due_date date,
    estimated_hours app.hours,
    billing_type app.billing_type,
    fixed_amount app.money,
    hourly_rate app.money,
    assignee_ids uuid [],
    status app.task_status
);
comment on type api.task_patch_fields is 'A task''s changeable fields.';
comment on column api.task_patch_fields.assignee_ids is 'Replaces the set of assignees.';
comment on column api.task_patch_fields.status is
'Moves as the lifecycle (app.task_status_transitions) allows; a refused move is a 409 naming the allowed ones.';
create domain api.task_patch as jsonb constraint check_task_patch check (
    internal.conforms(value, 'api.task_patch_fields', '{}', '{title,priority,billing_type,assignee_ids,status}')
);

-- Time entries.
create type api.time_entry_fields as (
    hours app.hours,
    work_date date,
    note app.note,
    user_id uuid,
    contract_line_id uuid
);
comment on type api.time_entry_fields is 'Time logged on an hourly task (at least 0.25 hours).';
comment on column api.time_entry_fields.work_date is 'Today by default.';
comment on column api.time_entry_fields.user_id is 'Defaults to the signed-in user; another''s time needs tasks:all.';
comment on column api.time_entry_fields.contract_line_id is
'Bill the time to this hourly line of a contract of the project''s client.';
create domain api.time_entry_create as jsonb constraint check_time_entry_create check (
    internal.conforms(value, 'api.time_entry_fields', '{hours}')
);

create type api.time_entry_patch_fields as (hours app.hours, work_date date, note app.note);
comment on type api.time_entry_patch_fields is 'A time entry''s changeable fields (not once its task is invoiced).';
create domain api.time_entry_patch as jsonb constraint check_time_entry_patch check (
    internal.conforms(value, 'api.time_entry_patch_fields', '{}', '{hours,work_date}')
);

-- Comments.
create type api.comment_fields as (body app.note, client_visible boolean);
comment on type api.comment_fields is 'A comment on a task.';
comment on column api.comment_fields.client_visible is 'Shown to the client on the portal (false by default).';
create domain api.comment_create as jsonb constraint check_comment_create check (
    internal.conforms(value, 'api.comment_fields', '{body}')
);

-- Files (the project is the URL's).
create type api.file_fields as (
    file_name app.file_name,
    content_type app.content_type,
    size bigint,
    visibility app.file_visibility,
    task_id uuid
);
comment on type api.file_fields is 'An upload to start: the file''s row, pending until its bytes are confirmed.';
comment on column api.file_fields.file_name is 'The file''s name, without a path.';
comment on column api.file_fields.content_type is 'application/octet-stream by default.';
comment on column api.file_fields.size is
'Bytes; the signed upload admits no more, and a task attachment is at most 50 MB.';
comment on column api.file_fields.visibility is 'internal (the default) or customer (shown on the portal).';
comment on column api.file_fields.task_id is 'Attach the file to this task of the project.';
create domain api.file_create as jsonb constraint check_file_create check (
    internal.conforms(value, 'api.file_fields', '{file_name,size}')
);

-- Approvals (the stage is the URL's).
create type api.approval_fields as (
    approver_contact_id uuid,
    approver_email app.email_address,
    expires_in_hours integer
);
comment on type api.approval_fields is
'Who is asked to approve a stage: a contact of the client, or an email address.';
comment on column api.approval_fields.expires_in_hours is 'Hours the link is valid (72 by default).';
create domain api.approval_create as jsonb constraint check_approval_create check (
    internal.conforms(value, 'api.approval_fields')
);

-- A task's activity (seed 003 §2.4): a comment, a note, or an upload request; the task is the URL's.
create type api.task_activity_fields as (
    type app.task_activity_type,
    body app.note,
    client_visible boolean,
    file_name app.file_name,
    content_type app.content_type,
    size bigint,
    visibility app.file_visibility
);
comment on type api.task_activity_fields is
'An entry appended to a task''s activity: a comment, a note, or an upload to start (its file attached to the task).';
comment on column api.task_activity_fields.body is 'The comment''s or the note''s text (required for both).';
comment on column api.task_activity_fields.client_visible is 'A comment only: shown to the client (false by default).';
comment on column api.task_activity_fields.file_name is 'An upload only (required): the file''s name, without a path.';
comment on column api.task_activity_fields.content_type is
'An upload only: application/octet-stream by default.';
comment on column api.task_activity_fields.size is 'An upload only (required): bytes, at most 50 MB.';
comment on column api.task_activity_fields.visibility is 'An upload only: internal (the default) or customer.';
create domain api.task_activity_create as jsonb constraint check_task_activity_create check (
    internal.conforms(value, 'api.task_activity_fields', '{type}')
);

-- What the views answer in JSON: built from these types, so the keys cannot drift from what is declared.
create type api.template_task as (
    id uuid,
    sequence smallint,
    title app.label,
    description app.note,
    kind app.task_kind,
    billing_type app.billing_type,
    fixed_amount app.money,
    hourly_rate app.money,
    due_offset_days integer,
    estimated_hours app.hours
);
comment on type api.template_task is 'A task of a template stage, as api.templates shows it.';

create type api.template_stage as (
    id uuid,
    sequence smallint,
    stage_code app.code,
    name app.label,
    sla_hours integer,
    requires_deposit boolean,
    tasks jsonb
);
comment on type api.template_stage is 'A stage of a template, as api.templates shows it.';
comment on column api.template_stage.requires_deposit is 'The stage waits for the project''s deposit to be paid.';
comment on column api.template_stage.tasks is 'The stage''s tasks in order. @shape api.template_task[]';

create type api.approval_revision as (revision_number integer, comment app.note, requested_at timestamptz);
comment on type api.approval_revision is 'A revision the approver asked for, as api.approvals shows it.';

-- Views whose computed columns now carry their domain (health, hours) are made again by db/views/api_delivery.sql.
drop view if exists api.projects, api.project_health, api.tasks cascade;
