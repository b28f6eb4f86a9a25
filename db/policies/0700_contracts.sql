-- Grants on contracts for the api door: contracts:read (or invoices:read) / contracts:write on every contract table
-- (the permission policies come from 0110_permissions.sql); billing them needs invoices:write
-- (api.bill_client_contracts). Client contacts see their contracts' documents through portal.contract_documents(),
-- which checks ownership.

grant select, insert, update, delete on app.contract_templates, app.contract_template_lines, app.contracts,
app.contract_lines, app.contract_line_services, app.contract_line_rates, app.contract_line_pricing_schedules,
app.client_contracts, app.contract_documents, app.contract_billings to pgpsa_door_api;

-- Ownership and status are not edited by hand: the split, the api functions and the guard set them.
revoke update on app.contracts from pgpsa_door_api;
grant update (name, description, status, billing_frequency, currency) on app.contracts to pgpsa_door_api;
revoke update on app.contract_billings from pgpsa_door_api;
revoke insert, update, delete on app.contract_billings from pgpsa_door_api;

grant select (tenant_id, id, client_id, contract_id, start_date, end_date, is_active, renewal_state, terminated_at)
on app.client_contracts to pgpsa_door_bi;
grant select (tenant_id, id, name) on app.contracts to pgpsa_door_bi;
grant select (tenant_id, id, name) on app.clients to pgpsa_door_bi;
grant select (tenant_id, id, invoice_id, line_total, client_contract_id) on app.invoice_lines to pgpsa_door_bi;
grant select (tenant_id, id, status, issue_date) on app.invoices to pgpsa_door_bi;
