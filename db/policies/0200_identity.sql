-- Who may see and change tenants, users and permissions (the permission policies come from 0110_permissions.sql).

alter table app.tenants enable row level security;
alter table app.tenants force row level security;
create policy tenants_own on app.tenants for select to pgpsa_door_api, pgpsa_door_bi, pgpsa_owner
using (id = internal.current_tenant_id());
-- Sign-in resolves a slug before any tenant is known (api.login_lookup runs as the owner).
create policy tenants_by_owner on app.tenants for select to pgpsa_owner using (true);

grant usage on schema app to pgpsa_door_api, pgpsa_door_bi;
grant select on app.tenants to pgpsa_door_api, pgpsa_door_bi;
-- No role but the owner reads password hashes.
grant select (tenant_id, id, email, full_name, role, last_login_at, disabled_at, created_at, updated_at)
on app.users to pgpsa_door_api;
grant insert (tenant_id, email, full_name, role, password_hash),
update (email, full_name, role, password_hash, disabled_at)
on app.users to pgpsa_door_api;
grant select, insert, update, delete on app.user_permissions to pgpsa_door_api;
-- The bi views name people and measure their weeks (bi.utilization).
grant select (tenant_id, id, full_name, role, disabled_at, weekly_capacity_hours) on app.users to pgpsa_door_bi;
