-- Who may see and change tenants, users and permissions.

alter table app.tenants enable row level security;
alter table app.tenants force row level security;
drop policy if exists tenants_own on app.tenants;
create policy tenants_own on app.tenants for select to pgpsa_staff, pgpsa_portal, pgpsa_owner
using (id = internal.current_tenant_id());
drop policy if exists tenants_own_bi on app.tenants;
create policy tenants_own_bi on app.tenants for select to pgpsa_bi
using (id = internal.bi_tenant_id(current_user));
-- Sign-in resolves a slug before any tenant is known (api.login_lookup runs as the owner).
drop policy if exists tenants_by_owner on app.tenants;
create policy tenants_by_owner on app.tenants for select to pgpsa_owner using (true);

-- The global lookups are readable by every role; only migrations change them.
alter table app.permissions enable row level security;
alter table app.permissions force row level security;
drop policy if exists permissions_read on app.permissions;
create policy permissions_read on app.permissions for select to pgpsa_staff, pgpsa_owner using (true);
alter table app.role_permissions enable row level security;
alter table app.role_permissions force row level security;
drop policy if exists role_permissions_read on app.role_permissions;
create policy role_permissions_read on app.role_permissions for select to pgpsa_staff, pgpsa_owner using (true);

-- Changing users or their permissions needs users:write; everyone on staff sees the directory.
drop policy if exists users_write on app.users;
create policy users_write on app.users as restrictive for insert to pgpsa_staff
with check (internal.has_permission('users:write'));
drop policy if exists users_update on app.users;
create policy users_update on app.users as restrictive for update to pgpsa_staff
using (internal.has_permission('users:write'));
drop policy if exists user_permissions_write on app.user_permissions;
create policy user_permissions_write on app.user_permissions as restrictive for all to pgpsa_staff
using (internal.has_permission('users:read')) with check (internal.has_permission('users:write'));

grant usage on schema app to pgpsa_staff, pgpsa_portal, pgpsa_bi;
grant select on app.tenants to pgpsa_staff, pgpsa_portal, pgpsa_bi;
grant select on app.permissions, app.role_permissions to pgpsa_staff;
-- No role but the owner reads password hashes.
grant select (tenant_id, id, email, full_name, role, last_login_at, disabled_at, created_at, updated_at)
on app.users to pgpsa_staff;
grant insert (tenant_id, email, full_name, role, password_hash),
update (email, full_name, role, password_hash, disabled_at)
on app.users to pgpsa_staff;
grant select, insert, update, delete on app.user_permissions to pgpsa_staff;
grant select (tenant_id, id, full_name, role) on app.users to pgpsa_bi;
