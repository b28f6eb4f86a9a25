-- Undo 0018: the health indexes lead with the tenant's range again.
drop index app.index_tasks_on_open_due_date;
create index index_tasks_on_open_due_date on app.tasks (tenant_id, due_date, project_id)
where status not in ('completed', 'approved', 'client_approved', 'cancelled');

drop index app.index_tasks_on_updated_at;
create index index_tasks_on_updated_at on app.tasks (tenant_id, updated_at, project_id);

alter table app.client_contracts drop constraint exclude_client_contracts_overlap;
alter table app.client_contracts add constraint exclude_client_contracts_overlap exclude using gist (
    tenant_id with =, contract_id with =, client_id with =, daterange(start_date, end_date, '[]') with &&
);
comment on constraint exclude_client_contracts_overlap on app.client_contracts is
'This client already has the contract assigned for part of those dates.';
