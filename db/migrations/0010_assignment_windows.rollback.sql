-- Undo 0010: assignments of one contract to one client may overlap again.
alter table app.client_contracts drop constraint if exists exclude_client_contracts_overlap;
