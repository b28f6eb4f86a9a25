-- Reads that cost what they return (issue O). Project health per project: internal.project_signals reads one
-- project's tasks for each project it returns, so the two indexes its signals use lead with the project, not with a
-- tenant-wide range (open tasks by due date, tasks by last update) that a read of one project had to filter.
-- depends: 0017_shapes_sales

drop index app.index_tasks_on_open_due_date;
-- The same list as internal.task_done_statuses(), written out: the planner matches a partial index's predicate
-- against the inlined function's array.
create index index_tasks_on_open_due_date on app.tasks (tenant_id, project_id, due_date)
where status not in ('completed', 'approved', 'client_approved', 'cancelled');
comment on index app.index_tasks_on_open_due_date is 'A project''s open tasks by due date: its overdue ones.';

drop index app.index_tasks_on_updated_at;
create index index_tasks_on_updated_at on app.tasks (tenant_id, project_id, updated_at);
comment on index app.index_tasks_on_updated_at is 'A project''s tasks by last update: whether it moved lately.';

-- A client's assignments (GET /clients/{id}/contracts) are read through the overlap constraint's GiST index, which
-- led with the tenant: a GiST index prunes by its first column, so the read scanned a good part of the tenant's
-- entries. The client first, then the contract: the same constraint, pruned by what is most selective.
alter table app.client_contracts drop constraint exclude_client_contracts_overlap;
alter table app.client_contracts add constraint exclude_client_contracts_overlap exclude using gist (
    client_id with =, contract_id with =, tenant_id with =, daterange(start_date, end_date, '[]') with &&
);
comment on constraint exclude_client_contracts_overlap on app.client_contracts is
'This client already has the contract assigned for part of those dates.';
