-- Permissions: the role map (app.role_permissions) plus per-user grants and revokes (app.user_permissions), and the
-- declaration of which permission each table command needs (internal.table_permissions).

-- The rule, once: a permission p is held when p itself, "<resource>:*" or "*" is granted (by the role map or to
-- the user) and none of the three is revoked from the user (a user revoke wins). Plain SQL, inlined.
create or replace function internal.grants_allow(p text, p_granted text[], p_revoked text[]) returns boolean
language sql immutable parallel safe
begin atomic
    select
        array[p, split_part(p, ':', 1) || ':*', '*'] && p_granted
        and not (array[p, split_part(p, ':', 1) || ':*', '*'] && p_revoked);
end;

-- The current user's grants (its role's and its own) and revokes; no row when the user is missing or disabled.
-- Plain SQL with no SET clause and not a definer, so the definer functions below inline it into their statement
-- (and read the tables as the owner); called by a request role itself, it reads nothing (no grant on the tables).
create or replace function internal.my_grants() returns table (granted text[], revoked text[])
language sql stable
begin atomic
    select
        array(
            select rp.permission::text from app.role_permissions as rp where rp.role = u.role
            union all
            select up.permission::text from app.user_permissions as up
            where up.tenant_id = u.tenant_id and up.user_id = u.id and up.granted
        ) as granted,
        array(
            select up.permission::text from app.user_permissions as up
            where up.tenant_id = u.tenant_id and up.user_id = u.id and not up.granted
        ) as revoked
    from app.users as u
    where
        u.tenant_id = internal.current_tenant_id()
        and u.id = internal.current_user_id()
        and u.disabled_at is null;
end;

-- True when the current user holds p (internal.grants_allow). Reads the tables: the truth, but a statement a call.
-- Policies use has_permission below. It reads only the current user's own rows, which is why a request role may
-- call it (it is on the definer allowlist). plpgsql, like permission_cache, because a security definer SQL
-- function is planned at every call: a bound login's policies (or a DBA's, acting without the cache) call it once a
-- statement or, on a table the planner knows nothing of yet, once a row; planned each time it cost about 0.8 ms a
-- call, and the demo seed on a new database 13 s of its 18.
create or replace function internal.lookup_permission(p text) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
    return coalesce((select internal.grants_allow(p, g.granted, g.revoked) from internal.my_grants() as g), false);
end;
$$;

-- The value the service puts in pgpsa.permissions for a request: every permission the current user effectively
-- holds, by the same rule, as '<user id>|,<permission>,<permission>,...,', each name between commas so that
-- has_any_permission finds one with strpos (names hold no comma: check_permissions_name). NULL when the user does
-- not exist or is disabled: the service answers 401 then, whatever the token says. One statement, the grants read
-- once: every request runs it (api.begin_request), and gathering them twice, through a second definer function and
-- an array sorted by name, made begin_request cost 193-258 us a call against 125-176 (4,000 calls in a request's
-- context, the two taking turns). plpgsql, not SQL, because a SQL function's statement is planned at every call,
-- plpgsql keeps the plan for the session.
create or replace function internal.permission_cache() returns text
language plpgsql stable security definer set search_path = ''
as $$
begin
    return (
        select internal.current_user_id()::text || '|,' || (
            select coalesce(string_agg(pm.name::text, ','), '') from app.permissions as pm
            where internal.grants_allow(pm.name, g.granted, g.revoked)
        ) || ','
        from internal.my_grants() as g
    );
end;
$$;

-- True when the current user holds any of p (as lookup_permission says of each): the tables' answer for a caller
-- without the service's cache (a bound login); as plain SQL only because policies ask it through has_any_permission.
create or replace function internal.lookup_any_permission(p text[]) returns boolean
language sql stable parallel safe
begin atomic
    select coalesce(bool_or(internal.lookup_permission(n.permission)), false) from unnest(p) as n (permission);
end;

-- What policies and functions ask: whether the current user holds any of p. A plain expression the planner inlines:
-- it trusts pgpsa.permissions only in a trusted session (the service sets both settings) and only when that cache
-- was made for the current user; a bound login (which can SET anything) always asks the tables.
-- In the cache, one or two names (what policies pass, as a constant) are looked for with strpos, each between
-- commas, not by splitting the cache into an array: policies and the views' subplans evaluate this about 160 times
-- for one GET /projects/{id}, and one evaluation cost 3.7-6.8 us that way, 2.3-3.2 so (200,000 in a request's
-- context). The planner folds the WHEN test for a constant, leaving one strpos a name. A name holding a comma
-- (two names in one string: strpos would find them where the cache holds them side by side), a NULL, more names,
-- or an array that is not plain take the array's way.
create or replace function internal.has_any_permission(p text[]) returns boolean
language sql stable parallel safe
begin atomic
    select
        case
            when
                internal.trusted_session()
                and split_part(current_setting('pgpsa.permissions', true), '|', 1)
                = nullif(current_setting('pgpsa.user_id', true), '')
                then case
                    when
                        array_ndims(p) = 1 and array_lower(p, 1) = 1 and cardinality(p) <= 2
                        and strpos(p[1], ',') = 0 and (cardinality(p) = 1 or strpos(p[2], ',') = 0)
                        then
                            strpos(current_setting('pgpsa.permissions', true), ',' || p[1] || ',') > 0
                            or cardinality(p) = 2
                            and strpos(current_setting('pgpsa.permissions', true), ',' || p[2] || ',') > 0
                    else coalesce(
                        p && string_to_array(split_part(current_setting('pgpsa.permissions', true), '|', 2), ','), false
                    )
                end
            else internal.lookup_any_permission(p)
        end;
end;

create or replace function internal.has_permission(p text) returns boolean
language sql stable parallel safe
begin atomic
    select internal.has_any_permission(array[p]);
end;

-- What the permission policies compare tenant_id with (db/policies/0110_permissions.sql): the request's tenant when
-- the current user holds any of p, else NULL, so no row matches. Written as an equality on tenant_id beside the
-- tenant policy's own (tenant_id = internal.current_tenant_id()), the planner puts both in one equivalence class:
-- it checks tenant_id once against one of them (an index condition, evaluated once per scan) and the two against
-- each other as a one-time filter, so the permission costs one evaluation per statement, not one per row, and no
-- subquery is needed (Citus rejects them in policies).
create or replace function internal.permitted_tenant_id(p text[]) returns uuid
language sql stable parallel safe
begin atomic
    select case when internal.has_any_permission(p) then internal.current_tenant_id() end;
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

-- A table of internal.table_permissions: named without its schema when it is in app.
create or replace function internal.declared_table(p_name text) returns regclass
language sql stable set search_path = ''
begin atomic
    select (case when p_name like '%.%' then p_name else 'app.' || p_name end)::regclass;
end;

-- The api functions' check, from the same declaration the policies are generated from: the caller must hold one
-- of the permissions internal.table_permissions names for this command on this table (PT403 in words otherwise).
create or replace function internal.require_access(p_table text, p_command text) returns void
language plpgsql stable set search_path = ''
as $$
declare
    needed text[] := (
        select tp.permissions from internal.table_permissions as tp
        where tp.table_name = p_table and tp.command = p_command
    );
begin
    if needed is null then
        raise exception 'no permission is declared for % on app.%', p_command, p_table;
    end if;
    if cardinality(needed) > 0 and not exists (select from unnest(needed) as n where internal.has_permission(n)) then
        raise exception using
            errcode = 'PT403',
            message = format('You need the %s permission to do this.', array_to_string(needed, ' or ')),
            hint = 'Ask a manager or admin of your firm to grant it.';
    end if;
end;
$$;

-- Policies call has_permission (and so lookup_permission) on behalf of every caller; db/policies/9000_doors.sql
-- grants them to the request roles too.
grant execute on function internal.has_permission(text), internal.has_any_permission(text[]),
internal.lookup_permission(text), internal.lookup_any_permission(text[]), internal.permitted_tenant_id(text[])
to pgpsa_door_api, pgpsa_door_bi;
grant execute on function internal.permission_cache(),
internal.require_permission(text), internal.require_access(text, text), internal.declared_table(text)
to pgpsa_door_api;
