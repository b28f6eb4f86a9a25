-- Totals the database keeps as rows are written (issue K): the bi views read a row per task, per person and week,
-- per invoice, instead of summing a tenant's whole history of time, lines and payments on every read. Each is a
-- derived table: written only by the triggers of db/functions/0995_totals.sql (and by internal.rebuild_totals,
-- which db/policies/9900_backfills.sql runs for a tenant whose rows have no totals yet: this migration's backfill),
-- never by a door, not audited itself (the rows it sums are), and equal at every commit to the sums it caches
-- (db/tests/test_totals.sql recomputes them after every kind of write).
-- depends: 0024_list_order_indexes

-- Per task with time: its hours, their labor cost, and what posted invoices billed for it. A row appears with the
-- task's first time entry; a task without time has none.
create table app.task_totals (
    tenant_id uuid not null,
    task_id uuid not null,
    -- The task's project, billing type and hourly rate, kept as the task changes: a project's labor and
    -- realization are summed without reading its tasks.
    project_id uuid not null,
    billing_type app.billing_type not null,
    hourly_rate app.money,
    hours numeric not null default 0,
    uncontracted_hours numeric not null default 0,
    unrated_hours numeric not null default 0,
    labor_cost numeric not null default 0,
    billed_amount numeric not null default 0,
    constraint pk_task_totals primary key (tenant_id, task_id),
    constraint fk_task_totals_tenant_id_tenants foreign key (tenant_id) references app.tenants (id),
    constraint fk_task_totals_task_id_tasks foreign key (tenant_id, task_id)
    references app.tasks (tenant_id, id) on delete cascade,
    constraint fk_task_totals_project_id_projects foreign key (tenant_id, project_id)
    references app.projects (tenant_id, id) on delete cascade
);
create index index_task_totals_on_project_id on app.task_totals (tenant_id, project_id);
-- What the task adds to its project's realization (bi.realization): its hours less contract time, their worth at its
-- rate (rounded as its invoice line would be) and what was billed for it, while it is billed hourly with such hours.
alter table app.task_totals
add column realized_hours numeric generated always as (
    case when billing_type = 'hourly' and uncontracted_hours > 0 then uncontracted_hours else 0 end
) stored,
add column standard_value numeric generated always as (
    case
        when billing_type = 'hourly' and uncontracted_hours > 0
            then coalesce(internal.line_net(uncontracted_hours, hourly_rate, 0), 0)
        else 0
    end
) stored,
add column realized_billed numeric generated always as (
    case when billing_type = 'hourly' and uncontracted_hours > 0 then billed_amount else 0 end
) stored;
comment on table app.task_totals is
'Per task, kept by triggers: hours logged, labor cost, and the amount billed on posted invoices.';
comment on column app.task_totals.hours is 'Hours of all the task''s time entries.';
comment on column app.task_totals.uncontracted_hours is
'Of those, hours not against a contract line (the task bills them itself).';
comment on column app.task_totals.unrated_hours is
'Of those, hours whose worker''s role had no labor rate on the day worked (they cost nothing).';
comment on column app.task_totals.labor_cost is
'Each entry''s hours x the labor rate of its worker''s role on the day worked, each rounded (internal.entry_labor).';
comment on column app.task_totals.billed_amount is
'Line totals (before tax) of the task''s lines on posted invoices: sent, partial or paid, never void.';

-- Per project: its tasks' totals summed (kept by a trigger on app.task_totals), so a report over the tenant's
-- projects reads one row each.
create table app.project_totals (
    tenant_id uuid not null,
    project_id uuid not null,
    hours numeric not null default 0,
    unrated_hours numeric not null default 0,
    labor_cost numeric not null default 0,
    realized_hours numeric not null default 0,
    standard_value numeric not null default 0,
    realized_billed numeric not null default 0,
    constraint pk_project_totals primary key (tenant_id, project_id),
    constraint fk_project_totals_tenant_id_tenants foreign key (tenant_id) references app.tenants (id),
    constraint fk_project_totals_project_id_projects foreign key (tenant_id, project_id)
    references app.projects (tenant_id, id) on delete cascade
);
comment on table app.project_totals is
'Per project, kept by triggers: the sums of its tasks'' app.task_totals (hours, labor, realization).';

-- Per person and week (Monday, internal.report_week): hours logged, and of those the hours on tasks billed hourly
-- now (a task re-typed moves its hours in or out).
create table app.user_week_hours (
    tenant_id uuid not null,
    user_id uuid not null,
    week date not null,
    hours numeric not null default 0,
    billable_hours numeric not null default 0,
    constraint pk_user_week_hours primary key (tenant_id, user_id, week),
    constraint fk_user_week_hours_tenant_id_tenants foreign key (tenant_id) references app.tenants (id),
    constraint fk_user_week_hours_user_id_users foreign key (tenant_id, user_id)
    references app.users (tenant_id, id) on delete cascade
);
comment on table app.user_week_hours is
'Per person and week (its Monday), kept by triggers: hours logged, and of those hours on tasks billed hourly.';

-- Per invoice: its lines' total with tax and the payments applied to it (as internal.invoice_amounts sums them).
create table app.invoice_balances (
    tenant_id uuid not null,
    invoice_id uuid not null,
    total numeric not null default 0,
    paid numeric not null default 0,
    constraint pk_invoice_balances primary key (tenant_id, invoice_id),
    constraint fk_invoice_balances_tenant_id_tenants foreign key (tenant_id) references app.tenants (id),
    constraint fk_invoice_balances_invoice_id_invoices foreign key (tenant_id, invoice_id)
    references app.invoices (tenant_id, id) on delete cascade
);
comment on table app.invoice_balances is
'Per invoice, kept by triggers: the total of its lines with tax, and the payments applied to it.';
