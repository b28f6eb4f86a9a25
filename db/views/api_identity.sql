-- The signed-in staff user, their tenant and effective permissions (GET /api/v1/me), and the staff directory.

create or replace view api.me as
select
    u.id,
    u.tenant_id,
    t.slug as tenant_slug,
    t.name as tenant_name,
    u.email,
    u.full_name,
    u.role,
    array(
        select pm.name::text from app.permissions as pm where internal.has_permission(pm.name)
        order by pm.name
    ) as permissions
from app.users as u
inner join app.tenants as t on u.tenant_id = t.id
where
    u.tenant_id = internal.current_tenant_id()
    and u.id = internal.current_user_id()
    and u.disabled_at is null;

-- Everyone on staff sees the directory (assignees, who did what); password hashes never leave the owner.
create or replace view api.users as
select
    u.id,
    u.email,
    u.full_name,
    u.role,
    u.last_login_at,
    u.disabled_at,
    u.created_at,
    u.updated_at,
    u.tenant_id
from app.users as u;

-- tenant_id: the key the service names in its reads (README, "Reads name their tenant"); never a field.
comment on column api.users.tenant_id is '@internal';
