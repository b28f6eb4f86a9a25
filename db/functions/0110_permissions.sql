-- Permissions: the role map (app.role_permissions) plus per-user grants and revokes (app.user_permissions).

-- True when the current user holds p exactly, through "<resource>:*", or through "*"; a user revoke wins.
-- Reads the tables: the truth, but about 15 µs a call. Policies use has_permission below.
create or replace function internal.lookup_permission(p text) returns boolean
language sql stable security definer set search_path = ''
begin atomic
    with me as (
        select
            u.tenant_id,
            u.id,
            u.role
        from app.users as u
        where
            u.tenant_id = internal.current_tenant_id()
            and u.id = internal.current_user_id()
            and u.disabled_at is null
    ),

    matching as (
        select unnest(array[p, split_part(p, ':', 1) || ':*', '*']) as name
    )

    select
        exists (select from me)
        and not exists (
            select from app.user_permissions as up, me
            where
                up.tenant_id = me.tenant_id and up.user_id = me.id
                and not up.granted and up.permission in (select m.name from matching as m)
        )
        and (
            exists (
                select from app.role_permissions as rp, me
                where rp.role = me.role and rp.permission in (select m.name from matching as m)
            )
            or exists (
                select from app.user_permissions as up, me
                where
                    up.tenant_id = me.tenant_id and up.user_id = me.id
                    and up.granted and up.permission in (select m.name from matching as m)
            )
        );
end;

-- Every permission the current user effectively holds, for display (GET /me).
create or replace function internal.current_permissions() returns text[]
language sql stable security definer set search_path = ''
begin atomic
    select coalesce(array_agg(pm.name order by pm.name), '{}')
    from app.permissions as pm
    where internal.lookup_permission(pm.name);
end;

-- The value the service puts in pgpsa.permissions for a request: '<user id>|<permission>,<permission>,...'.
create or replace function internal.permission_cache() returns text
language sql stable security definer set search_path = ''
begin atomic
    select internal.current_user_id()::text || '|' || array_to_string(internal.current_permissions(), ',');
end;

-- What policies call. A plain expression the planner inlines, so a policy costs no function call per row:
-- it trusts pgpsa.permissions only when that cache was made for the current user, else it asks the tables.
-- A caller able to set pgpsa.permissions can set pgpsa.user_id too, so the cache grants nothing more.
create or replace function internal.has_permission(p text) returns boolean
language sql stable parallel safe
begin atomic
    select
        case
            when
                split_part(current_setting('pgpsa.permissions', true), '|', 1)
                = nullif(current_setting('pgpsa.user_id', true), '')
                then p = any(string_to_array(split_part(current_setting('pgpsa.permissions', true), '|', 2), ','))
            else internal.lookup_permission(p)
        end;
end;

-- Raises PT403 with a message naming the missing permission.
create or replace function internal.require_permission(p text) returns void
language plpgsql stable set search_path = ''
as $$
begin
    if not internal.has_permission(p) then
        raise exception using
            errcode = 'PT403',
            message = format('You need the %s permission to do this.', p),
            hint = 'Ask a manager or admin of your firm to grant it.';
    end if;
end;
$$;

grant execute on function internal.has_permission(text), internal.lookup_permission(text),
internal.current_permissions(), internal.permission_cache(), internal.require_permission(text) to pgpsa_staff;
