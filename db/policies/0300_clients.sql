-- Who may see and change clients and contacts: clients:read to see, clients:write to change, nobody deletes.
-- The permission policies have no column reference, so the planner checks them once per query.

drop policy if exists clients_read on app.clients;
create policy clients_read on app.clients as restrictive for select to pgpsa_staff
using (internal.has_permission('clients:read'));
drop policy if exists clients_insert on app.clients;
create policy clients_insert on app.clients as restrictive for insert to pgpsa_staff
with check (internal.has_permission('clients:write'));
drop policy if exists clients_update on app.clients;
create policy clients_update on app.clients as restrictive for update to pgpsa_staff
using (internal.has_permission('clients:write'));

drop policy if exists contacts_read on app.contacts;
create policy contacts_read on app.contacts as restrictive for select to pgpsa_staff
using (internal.has_permission('clients:read'));
drop policy if exists contacts_insert on app.contacts;
create policy contacts_insert on app.contacts as restrictive for insert to pgpsa_staff
with check (internal.has_permission('clients:write'));
drop policy if exists contacts_update on app.contacts;
create policy contacts_update on app.contacts as restrictive for update to pgpsa_staff
using (internal.has_permission('clients:write'));

-- tax_id_encrypted is written (through api functions) but never selected by staff: internal.client_tax_id reads it.
grant select (
    tenant_id, id, account_code, name, channel, phone, email, billing_address, shipping_address,
    created_at, updated_at, archived_at
) on app.clients to pgpsa_staff;
grant insert (
    tenant_id, account_code, name, channel, phone, email, billing_address, shipping_address, tax_id_encrypted
) on app.clients to pgpsa_staff;
grant update (
    account_code, name, channel, phone, email, billing_address, shipping_address, tax_id_encrypted, archived_at
) on app.clients to pgpsa_staff;
grant select, insert (tenant_id, client_id, name, role, phone, email, is_primary),
update (name, role, phone, email, is_primary, archived_at) on app.contacts to pgpsa_staff;

grant select (tenant_id, id, account_code, name, channel, created_at, archived_at) on app.clients to pgpsa_bi;
