-- Undo 0018: no per-project index by update time; the overlap constraint leads with the tenant again.
drop index if exists app.index_tasks_on_project_updated_at;

alter table app.client_contracts drop constraint exclude_client_contracts_overlap;
alter table app.client_contracts add constraint exclude_client_contracts_overlap exclude using gist (
    tenant_id with =, contract_id with =, client_id with =, daterange(start_date, end_date, '[]') with &&
);
comment on constraint exclude_client_contracts_overlap on app.client_contracts is
'This client already has the contract assigned for part of those dates.';
