-- Reads that cost what they return (issue O). Project health per project: internal.project_signals asks, for each
-- project it returns, whether one of its tasks moved in the last 7 days; the index by update time leads with the
-- tenant's range (for the whole-tenant signals the bi door reads), so a read of one project needs one led by the
-- project. (Its overdue count reads index_tasks_on_project_id.)
-- depends: 0017_shapes_sales

create index index_tasks_on_project_updated_at on app.tasks (tenant_id, project_id, updated_at);
comment on index app.index_tasks_on_project_updated_at is 'A project''s tasks by last update: whether it moved lately.';

-- A client's assignments (GET /clients/{id}/contracts) are read through the overlap constraint's GiST index, which
-- led with the tenant: a GiST index prunes by its first column, so the read scanned a good part of the tenant's
-- entries. The client first, then the contract: the same constraint, pruned by what is most selective.
alter table app.client_contracts drop constraint exclude_client_contracts_overlap;
alter table app.client_contracts add constraint exclude_client_contracts_overlap exclude using gist (
    client_id with =, contract_id with =, tenant_id with =, daterange(start_date, end_date, '[]') with &&
);
comment on constraint exclude_client_contracts_overlap on app.client_contracts is
'This client already has the contract assigned for part of those dates.';
