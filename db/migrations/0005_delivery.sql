-- Delivery (seeds 000 and 003): templates, projects, stages, tasks, assignees, time, comments, activity,
-- approvals, files. Derived state (health, overdue, actual hours) lives in views, never in these tables.
-- depends: 0004_numbering_events_audit

-- Global lookups.
create table app.task_status_transitions (
    from_status text not null,
    to_status text not null,
    constraint pk_task_status_transitions primary key (from_status, to_status)
);
insert into app.task_status_transitions (from_status, to_status) values
('todo', 'in_progress'), ('todo', 'blocked'), ('todo', 'in_review'), ('todo', 'cancelled'),
('in_progress', 'todo'), ('in_progress', 'blocked'), ('in_progress', 'in_review'), ('in_progress', 'completed'),
('in_progress', 'cancelled'),
('blocked', 'todo'), ('blocked', 'in_progress'), ('blocked', 'cancelled'),
('in_review', 'in_progress'), ('in_review', 'completed'), ('in_review', 'approved'),
('in_review', 'client_approved'),
('completed', 'in_progress'), ('completed', 'approved'), ('completed', 'client_approved'),
('approved', 'in_progress'), ('client_approved', 'in_progress'),
('cancelled', 'todo');

create table app.templates (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    name text not null,
    project_type text not null,
    description text,
    is_active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_templates primary key (tenant_id, id),
    constraint fk_templates_tenant_id_tenants foreign key (tenant_id) references app.tenants (id),
    constraint check_templates_name check (btrim(name) <> ''),
    constraint check_templates_project_type check (project_type ~ '^[a-z0-9_]+$')
);
comment on constraint check_templates_project_type on app.templates is
'A project type is lowercase letters, digits and underscores (for example banner or brand_identity).';
create unique index unique_templates_project_type on app.templates (tenant_id, project_type) where is_active;
comment on index app.unique_templates_project_type is
'An active template for this project type already exists; deactivate it first.';

create table app.template_stages (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    template_id uuid not null,
    sequence smallint not null,
    stage_code text not null,
    name text not null,
    sla_hours integer not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_template_stages primary key (tenant_id, id),
    constraint fk_template_stages_template_id_templates foreign key (tenant_id, template_id)
    references app.templates (tenant_id, id) on delete cascade,
    constraint unique_template_stages_sequence unique (tenant_id, template_id, sequence),
    constraint unique_template_stages_stage_code unique (tenant_id, template_id, stage_code),
    constraint check_template_stages_sla_hours check (sla_hours > 0),
    constraint check_template_stages_sequence check (sequence > 0)
);
comment on constraint unique_template_stages_sequence on app.template_stages is
'This template already has a stage at that position.';
comment on constraint unique_template_stages_stage_code on app.template_stages is
'This template already has a stage with that code.';
comment on constraint check_template_stages_sla_hours on app.template_stages is
'A stage SLA is a positive number of hours.';

create table app.template_tasks (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    template_stage_id uuid not null,
    sequence smallint not null,
    title text not null,
    description text,
    kind text not null default 'task',
    billing_type text not null default 'non_billable',
    fixed_amount numeric(12, 2),
    hourly_rate numeric(12, 2),
    due_offset_days integer not null default 0,
    estimated_hours numeric(6, 2),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_template_tasks primary key (tenant_id, id),
    constraint fk_template_tasks_template_stage_id_template_stages foreign key (tenant_id, template_stage_id)
    references app.template_stages (tenant_id, id) on delete cascade,
    constraint unique_template_tasks_sequence unique (tenant_id, template_stage_id, sequence),
    constraint check_template_tasks_kind check (kind in ('task', 'document', 'approval')),
    constraint check_template_tasks_billing check (
        billing_type in ('non_billable', 'fixed', 'milestone', 'hourly')
        and (billing_type not in ('fixed', 'milestone') or fixed_amount >= 0)
        and (billing_type <> 'hourly' or hourly_rate >= 0)
        and (billing_type <> 'milestone' or kind = 'approval')
    ),
    constraint check_template_tasks_due_offset_days check (due_offset_days >= 0)
);
comment on constraint check_template_tasks_billing on app.template_tasks is
'Billing: fixed and milestone tasks need a fixed amount, hourly tasks an hourly rate,'
' and milestones are approval tasks.';

create table app.projects (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    project_code text not null,
    name text not null,
    project_type text not null,
    client_id uuid,
    order_id uuid,
    template_id uuid,
    status text not null default 'planning',
    start_date date not null default current_date,
    due_date date,
    completed_at timestamptz,
    budget_hours numeric(8, 2),
    share_token_hash text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_projects primary key (tenant_id, id),
    constraint fk_projects_client_id_clients foreign key (tenant_id, client_id) references app.clients (tenant_id, id),
    constraint fk_projects_template_id_templates foreign key (tenant_id, template_id)
    references app.templates (tenant_id, id),
    constraint unique_projects_project_code unique (tenant_id, project_code),
    constraint unique_projects_order_id unique (tenant_id, order_id),
    constraint unique_projects_share_token_hash unique (tenant_id, share_token_hash),
    constraint check_projects_status check (status in ('planning', 'active', 'on_hold', 'completed', 'cancelled')),
    constraint check_projects_name check (btrim(name) <> ''),
    constraint check_projects_due_date check (due_date >= start_date),
    constraint check_projects_budget_hours check (budget_hours >= 0)
);
comment on constraint check_projects_due_date on app.projects is 'A project cannot be due before it starts.';
comment on constraint unique_projects_order_id on app.projects is 'This order already has a project.';
comment on constraint fk_projects_client_id_clients on app.projects is 'No such client in this tenant.';
create index index_projects_on_client_id on app.projects (tenant_id, client_id);
create index index_projects_on_template_id on app.projects (tenant_id, template_id);
create index index_projects_on_status on app.projects (tenant_id, status);

create table app.stages (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    project_id uuid not null,
    sequence smallint not null,
    stage_code text not null,
    name text not null,
    sla_hours integer not null,
    status text not null default 'pending',
    started_at timestamptz,
    due_at timestamptz,
    completed_at timestamptz,
    escalated_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_stages primary key (tenant_id, id),
    constraint fk_stages_project_id_projects foreign key (tenant_id, project_id)
    references app.projects (tenant_id, id) on delete cascade,
    constraint unique_stages_sequence unique (tenant_id, project_id, sequence),
    constraint unique_stages_stage_code unique (tenant_id, project_id, stage_code),
    constraint check_stages_status check (status in ('pending', 'active', 'revision', 'overdue', 'completed')),
    constraint check_stages_sla_hours check (sla_hours > 0),
    constraint check_stages_started check (status = 'pending' or started_at is not null),
    constraint check_stages_completed check ((status = 'completed') = (completed_at is not null))
);
comment on constraint unique_stages_sequence on app.stages is 'This project already has a stage at that position.';
create index index_stages_on_status_due_at on app.stages (tenant_id, status, due_at);
-- The SLA sweep looks across tenants for active stages past due.
create index index_stages_on_due_active on app.stages (due_at) where status in ('active', 'revision');

create table app.tasks (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    project_id uuid not null,
    stage_id uuid not null,
    sequence smallint not null default 1,
    title text not null,
    description text,
    kind text not null default 'task',
    status text not null default 'todo',
    priority text not null default 'normal',
    due_date date,
    started_at timestamptz,
    completed_at timestamptz,
    estimated_hours numeric(6, 2),
    billing_type text not null default 'non_billable',
    fixed_amount numeric(12, 2),
    hourly_rate numeric(12, 2),
    -- Kept by a trigger from task_assignees (the record): RLS checks it without a subquery.
    assignee_ids uuid[] not null default '{}',
    -- The invoice that billed this task (the foreign key comes with invoices).
    invoice_id uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_tasks primary key (tenant_id, id),
    constraint fk_tasks_project_id_projects foreign key (tenant_id, project_id)
    references app.projects (tenant_id, id) on delete cascade,
    constraint fk_tasks_stage_id_stages foreign key (tenant_id, stage_id)
    references app.stages (tenant_id, id) on delete cascade,
    constraint check_tasks_title check (btrim(title) <> ''),
    constraint check_tasks_kind check (kind in ('task', 'document', 'approval')),
    constraint check_tasks_status check (
        status in (
            'todo', 'in_progress', 'blocked', 'in_review', 'completed', 'approved', 'client_approved', 'cancelled'
        )
    ),
    constraint check_tasks_priority check (priority in ('low', 'normal', 'high', 'urgent')),
    constraint check_tasks_billing check (
        billing_type in ('non_billable', 'fixed', 'milestone', 'hourly')
        and (billing_type not in ('fixed', 'milestone') or fixed_amount >= 0)
        and (billing_type <> 'hourly' or hourly_rate >= 0)
        and (billing_type <> 'milestone' or kind = 'approval')
    ),
    constraint check_tasks_estimated_hours check (estimated_hours >= 0)
);
comment on constraint check_tasks_billing on app.tasks is
'Billing: fixed and milestone tasks need a fixed amount, hourly tasks an hourly rate,'
' and milestones are approval tasks.';
comment on constraint check_tasks_status on app.tasks is
'A task status is todo, in_progress, blocked, in_review, completed, approved, client_approved or cancelled.';
create index index_tasks_on_project_id on app.tasks (tenant_id, project_id, status, due_date);
create index index_tasks_on_stage_id on app.tasks (tenant_id, stage_id);
create index index_tasks_on_invoice_id on app.tasks (tenant_id, invoice_id) where invoice_id is not null;
create index index_tasks_on_assignee_ids on app.tasks using gin (assignee_ids);

create table app.task_assignees (
    tenant_id uuid not null,
    task_id uuid not null,
    user_id uuid not null,
    created_at timestamptz not null default now(),
    constraint pk_task_assignees primary key (tenant_id, task_id, user_id),
    constraint fk_task_assignees_task_id_tasks foreign key (tenant_id, task_id)
    references app.tasks (tenant_id, id) on delete cascade,
    constraint fk_task_assignees_user_id_users foreign key (tenant_id, user_id) references app.users (tenant_id, id)
);
comment on constraint fk_task_assignees_user_id_users on app.task_assignees is 'No such user in this tenant.';
create index index_task_assignees_on_user_id on app.task_assignees (tenant_id, user_id);

create table app.time_entries (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    task_id uuid not null,
    user_id uuid not null,
    work_date date not null default current_date,
    hours numeric(6, 2) not null,
    note text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_time_entries primary key (tenant_id, id),
    constraint fk_time_entries_task_id_tasks foreign key (tenant_id, task_id)
    references app.tasks (tenant_id, id) on delete cascade,
    constraint fk_time_entries_user_id_users foreign key (tenant_id, user_id) references app.users (tenant_id, id),
    constraint check_time_entries_hours check (hours >= 0.25 and hours <= 24)
);
comment on constraint check_time_entries_hours on app.time_entries is
'A time entry is at least 0.25 hours and at most 24 hours.';
create index index_time_entries_on_task_id on app.time_entries (tenant_id, task_id);
create index index_time_entries_on_user_id on app.time_entries (tenant_id, user_id, work_date);

create table app.comments (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    task_id uuid not null,
    author_user_id uuid,
    author_contact_id uuid,
    body text not null,
    client_visible boolean not null default false,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_comments primary key (tenant_id, id),
    constraint fk_comments_task_id_tasks foreign key (tenant_id, task_id)
    references app.tasks (tenant_id, id) on delete cascade,
    constraint fk_comments_author_user_id_users foreign key (tenant_id, author_user_id)
    references app.users (tenant_id, id),
    constraint fk_comments_author_contact_id_contacts foreign key (tenant_id, author_contact_id)
    references app.contacts (tenant_id, id),
    constraint check_comments_one_author check (num_nonnulls(author_user_id, author_contact_id) = 1),
    constraint check_comments_client_visible check (author_contact_id is null or client_visible),
    constraint check_comments_body check (btrim(body) <> '')
);
comment on constraint check_comments_client_visible on app.comments is
'A client contact''s comment is always visible to the client.';
comment on constraint check_comments_body on app.comments is 'A comment needs some text.';
create index index_comments_on_task_id on app.comments (tenant_id, task_id, created_at);
create index index_comments_on_author_user_id on app.comments (tenant_id, author_user_id);
create index index_comments_on_author_contact_id on app.comments (tenant_id, author_contact_id);

-- Append-only history of every task change.
create table app.task_activity_logs (
    tenant_id uuid not null,
    id bigint generated always as identity,
    task_id uuid not null,
    actor_user_id uuid,
    actor_contact_id uuid,
    action text not null,
    from_status text,
    to_status text,
    changes jsonb not null default '{}',
    occurred_at timestamptz not null default clock_timestamp(),
    constraint pk_task_activity_logs primary key (tenant_id, id),
    constraint fk_task_activity_logs_task_id_tasks foreign key (tenant_id, task_id)
    references app.tasks (tenant_id, id) on delete cascade
);
create index index_task_activity_logs_on_task_id on app.task_activity_logs (tenant_id, task_id, occurred_at);

create table app.approvals (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    project_id uuid not null,
    stage_id uuid not null,
    token_hash text not null,
    expires_at timestamptz not null,
    approver_contact_id uuid,
    approver_email extensions.citext,
    status text not null default 'pending',
    requested_by uuid,
    decided_at timestamptz,
    decision_comment text,
    reminded_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_approvals primary key (tenant_id, id),
    constraint fk_approvals_project_id_projects foreign key (tenant_id, project_id)
    references app.projects (tenant_id, id) on delete cascade,
    constraint fk_approvals_stage_id_stages foreign key (tenant_id, stage_id)
    references app.stages (tenant_id, id) on delete cascade,
    constraint fk_approvals_approver_contact_id_contacts foreign key (tenant_id, approver_contact_id)
    references app.contacts (tenant_id, id),
    constraint fk_approvals_requested_by_users foreign key (tenant_id, requested_by) references app.users (
        tenant_id, id
    ),
    constraint unique_approvals_token_hash unique (tenant_id, token_hash),
    constraint check_approvals_status check (status in ('pending', 'approved', 'revision_requested', 'expired')),
    constraint check_approvals_approver check (num_nonnulls(approver_contact_id, approver_email) >= 1),
    constraint check_approvals_token_hash check (token_hash ~ '^[0-9a-f]{64}$')
);
comment on constraint check_approvals_approver on app.approvals is
'An approval needs an approver: a contact or an email.';
create index index_approvals_on_project_id on app.approvals (tenant_id, project_id);
create index index_approvals_on_stage_id on app.approvals (tenant_id, stage_id, status);
create index index_approvals_on_approver_contact_id on app.approvals (tenant_id, approver_contact_id);
create index index_approvals_on_requested_by on app.approvals (tenant_id, requested_by);

create table app.approval_revisions (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    approval_id uuid not null,
    stage_id uuid not null,
    revision_number integer not null,
    comment text,
    requested_at timestamptz not null default now(),
    constraint pk_approval_revisions primary key (tenant_id, id),
    constraint fk_approval_revisions_approval_id_approvals foreign key (tenant_id, approval_id)
    references app.approvals (tenant_id, id) on delete cascade,
    constraint fk_approval_revisions_stage_id_stages foreign key (tenant_id, stage_id)
    references app.stages (tenant_id, id) on delete cascade,
    constraint unique_approval_revisions_number unique (tenant_id, stage_id, revision_number)
);
create index index_approval_revisions_on_approval_id on app.approval_revisions (tenant_id, approval_id);

create table app.files (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    project_id uuid,
    task_id uuid,
    storage_key text not null,
    file_name text not null,
    content_type text not null default 'application/octet-stream',
    size_bytes bigint not null,
    checksum_sha256 text,
    visibility text not null default 'internal',
    state text not null default 'pending',
    uploaded_by_user_id uuid,
    uploaded_by_contact_id uuid,
    confirmed_at timestamptz,
    deleted_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_files primary key (tenant_id, id),
    constraint fk_files_project_id_projects foreign key (tenant_id, project_id)
    references app.projects (tenant_id, id) on delete cascade,
    constraint fk_files_task_id_tasks foreign key (tenant_id, task_id) references app.tasks (
        tenant_id, id
    ) on delete cascade,
    constraint fk_files_uploaded_by_user_id_users foreign key (tenant_id, uploaded_by_user_id)
    references app.users (tenant_id, id),
    constraint fk_files_uploaded_by_contact_id_contacts foreign key (tenant_id, uploaded_by_contact_id)
    references app.contacts (tenant_id, id),
    constraint unique_files_storage_key unique (tenant_id, storage_key),
    constraint check_files_visibility check (visibility in ('internal', 'customer')),
    constraint check_files_state check (state in ('pending', 'available', 'quarantined', 'deleted')),
    constraint check_files_size check (size_bytes >= 0),
    constraint check_files_task_size check (task_id is null or size_bytes <= 52428800),
    constraint check_files_file_name check (btrim(file_name) <> '' and file_name !~ '[/\\]' and file_name !~ '^\.\.?$'),
    constraint check_files_checksum check (checksum_sha256 ~ '^[0-9a-f]{64}$'),
    constraint check_files_available check (
        state <> 'available' or (checksum_sha256 is not null and confirmed_at is not null)
    )
);
comment on constraint check_files_task_size on app.files is 'A task attachment is at most 50 MB (52,428,800 bytes).';
comment on constraint check_files_file_name on app.files is
'A file name needs some text, no slashes, and is not . or ..';
create index index_files_on_project_id on app.files (tenant_id, project_id, state);
create index index_files_on_task_id on app.files (tenant_id, task_id, state);
create index index_files_on_uploaded_by_user_id on app.files (tenant_id, uploaded_by_user_id);
create index index_files_on_uploaded_by_contact_id on app.files (tenant_id, uploaded_by_contact_id);

create table app.file_access_logs (
    tenant_id uuid not null,
    id bigint generated always as identity,
    file_id uuid not null,
    user_id uuid,
    contact_id uuid,
    ip inet,
    accessed_at timestamptz not null default clock_timestamp(),
    constraint pk_file_access_logs primary key (tenant_id, id),
    constraint fk_file_access_logs_file_id_files foreign key (tenant_id, file_id)
    references app.files (tenant_id, id) on delete cascade,
    constraint check_file_access_logs_who check (num_nonnulls(user_id, contact_id) = 1)
);
create index index_file_access_logs_on_file_id on app.file_access_logs (tenant_id, file_id, accessed_at);

-- Seed 003 §7.1: designers see and change only the tasks assigned to them; everyone else who handles tasks holds
-- tasks:all.
insert into app.permissions (name, description) values
('tasks:all', 'See and change tasks that are not assigned to you');
insert into app.role_permissions (role, permission) values
('production', 'tasks:all'), ('qc', 'tasks:all'), ('qc', 'tasks:read');

-- What the health view reads: open tasks by due date, and tasks by their last update.
create index index_tasks_on_open_due_date on app.tasks (tenant_id, due_date, project_id)
-- The same list as internal.task_done_statuses(), written out: the planner matches a partial index's predicate
-- against the inlined function's array.
where status not in ('completed', 'approved', 'client_approved', 'cancelled');
create index index_tasks_on_updated_at on app.tasks (tenant_id, updated_at, project_id);
