-- Undo 0008: drop the ownership guardrails and the owner column. Split clones stay (they are real contracts now).
alter table app.client_contracts drop constraint if exists fk_client_contracts_owner;
drop index if exists app.index_client_contracts_on_owner;
alter table app.contracts drop constraint if exists check_contracts_owner;
alter table app.contracts drop constraint if exists unique_contracts_owner;
drop function if exists internal.split_shared_contracts();
drop function if exists internal.contract_split_preflight();
alter table app.contracts drop column if exists owner_client_id;
delete from app.role_permissions
where role = 'finance' and permission in ('contracts:read', 'contracts:write');
