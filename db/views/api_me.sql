-- The signed-in staff user, their tenant and effective permissions (GET /api/v1/me).

create or replace view api.me with (security_invoker = true) as
select
    u.id,
    u.tenant_id,
    t.slug as tenant_slug,
    t.name as tenant_name,
    u.email,
    u.full_name,
    u.role,
    internal.current_permissions() as permissions
from app.users as u
inner join app.tenants as t on u.tenant_id = t.id
where
    u.tenant_id = internal.current_tenant_id()
    and u.id = internal.current_user_id()
    and u.disabled_at is null;

grant select on api.me to pgpsa_staff;
