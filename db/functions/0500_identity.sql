-- Tenants, staff users, bound database logins and sign-in: admin helpers for the CLI, and the functions the token
-- endpoint calls before anyone is signed in (as pgpsa_anon; db/policies/9000_doors.sql lists them).

-- Admin (CLI, as a superuser).
create or replace function internal.create_tenant(p_slug text, p_name text) returns uuid
language sql volatile set search_path = ''
begin atomic
    insert into app.tenants (slug, name) values (p_slug, p_name) returning id;
end;

create or replace function internal.create_user(
    p_tenant_id uuid, p_email text, p_full_name text, p_role text, p_password_hash text
) returns uuid
language sql volatile set search_path = ''
begin atomic
    insert into app.users (tenant_id, email, full_name, role, password_hash)
    values (p_tenant_id, p_email, p_full_name, p_role, p_password_hash)
    returning id;
end;

-- A login for another program, bound to one tenant by its name (see db/functions/0100_context.sql): kind 'bi' reads
-- the bi views; kind 'app' is a member of pgpsa_staff acting as its own user of role 'app' (id md5(login)), which
-- holds exactly p_permissions. Needs CREATEROLE: the CLI runs it as a superuser. Returns the login's name.
create or replace function internal.create_db_login(
    p_kind text, p_tenant_id uuid, p_label text, p_password text, p_permissions text[] default '{}'
) returns name
language plpgsql volatile set search_path = ''
as $$
declare
    login name := p_kind || '_' || replace(p_tenant_id::text, '-', '') || '_' || p_label;
    app_user uuid;
begin
    if p_kind not in ('bi', 'app') then
        raise exception using errcode = 'PT422', message = 'A login is for a BI tool (bi) or another application (app).';
    end if;
    if p_label !~ '^[a-z0-9]{1,26}$' then
        raise exception using errcode = 'PT422', message = 'A login name is 1 to 26 lowercase letters or digits.';
    end if;
    if exists (select from pg_catalog.pg_roles as r where r.rolname = login) then
        raise exception using errcode = 'PT409', message = format('The login %s exists already.', login),
            hint = 'Revoke it first, or choose another name.';
    end if;
    if p_kind = 'app' then
        if cardinality(p_permissions) = 0 then
            raise exception using errcode = 'PT422', message = 'An app login needs at least one permission.';
        end if;
        app_user := md5(login::text)::uuid;
        insert into app.users (tenant_id, id, email, full_name, role, password_hash)
        values (p_tenant_id, app_user, p_label || '@app.invalid', 'App ' || p_label, 'app', '!no password: app login');
        insert into app.user_permissions (tenant_id, user_id, permission, granted)
        select p_tenant_id, app_user, p, true from unnest(p_permissions) as p;
    end if;
    insert into internal.db_logins (login, kind, tenant_id, user_id, label)
    values (login, p_kind, p_tenant_id, app_user, p_label);
    execute format(
        'create role %I login password %L connection limit 20 in role %I',
        login, p_password, case p_kind when 'bi' then 'pgpsa_bi' else 'pgpsa_staff' end
    );
    return login;
end;
$$;

-- Ends a login: its sessions, its role, its binding; an app login's user is disabled (its history stays).
create or replace function internal.revoke_db_login(p_login name) returns void
language plpgsql volatile set search_path = ''
as $$
declare
    b record;
begin
    select * into b from internal.db_logins as d where d.login = p_login;
    if b.login is null then
        raise exception using errcode = 'PT404', message = format('No login %s.', p_login);
    end if;
    perform pg_catalog.pg_terminate_backend(a.pid) from pg_catalog.pg_stat_activity as a where a.usename = p_login;
    execute format('drop role if exists %I', p_login);
    update app.users as u set disabled_at = now() where u.tenant_id = b.tenant_id and u.id = b.user_id;
    delete from internal.db_logins as d where d.login = p_login;
end;
$$;

-- Sign-in. These run before any tenant is known, as the owner, for pgpsa_anon only; each sets the tenant for its own
-- lookups and puts the caller's back. search_path is empty, so citext comparisons name their operator (a bare =
-- would compare case-sensitively). The client's address comes from the request context (pgpsa.ip).
create or replace function internal.login_window() returns interval
language sql immutable
begin atomic
    select interval '15 minutes';
end;

create or replace function internal.login_address() returns inet
language sql stable
begin atomic
    select coalesce(internal.current_ip(), '0.0.0.0'::inet);
end;

-- Five failures for one account from one address lock that address out of that account; twenty from one address
-- across accounts lock the address out of every account. A stranger's failures never lock the owner out.
create or replace function api.login_lookup(p_tenant_slug text, p_email text)
returns table (tenant_id uuid, user_id uuid, password_hash text)
language plpgsql volatile security definer set search_path = ''
as $$
declare
    caller_tenant text := current_setting('pgpsa.tenant_id', true);
    locked timestamptz;
    tenant uuid;
begin
    select greatest(
        (select f.locked_until from internal.login_failures as f
         where f.tenant_slug operator(extensions.=) p_tenant_slug::extensions.citext
           and f.email operator(extensions.=) p_email::extensions.citext
           and f.client_ip = internal.login_address()),
        (select a.locked_until from internal.address_failures as a where a.client_ip = internal.login_address())
    ) into locked;
    if locked > now() then
        raise exception using
            errcode = 'PT429',
            message = 'Too many failed sign-in attempts from this address.',
            hint = format('Try again in %s minutes.', ceil(extract(epoch from locked - now()) / 60));
    end if;
    select t.id into tenant from app.tenants as t where t.slug operator(extensions.=) p_tenant_slug::extensions.citext;
    if tenant is null then
        return;
    end if;
    perform set_config('pgpsa.tenant_id', tenant::text, true);
    return query
    select u.tenant_id, u.id, u.password_hash::text
    from app.users as u
    where u.tenant_id = tenant and u.email operator(extensions.=) p_email::extensions.citext
      and u.disabled_at is null and u.role <> 'app';
    perform set_config('pgpsa.tenant_id', coalesce(caller_tenant, ''), true);
end;
$$;

create or replace function api.login_failed(p_tenant_slug text, p_email text) returns void
language sql volatile security definer set search_path = ''
begin atomic
    insert into internal.login_failures as f (tenant_slug, email, client_ip, failures)
    values (p_tenant_slug, p_email, internal.login_address(), 1)
    on conflict (tenant_slug, email, client_ip) do update set
        failures = case when f.first_failed_at < now() - internal.login_window() then 1 else f.failures + 1 end,
        first_failed_at = case
            when f.first_failed_at < now() - internal.login_window() then now() else f.first_failed_at
        end,
        locked_until = case
            when f.first_failed_at >= now() - internal.login_window() and f.failures + 1 >= 5
                then now() + internal.login_window()
        end;
    insert into internal.address_failures as a (client_ip, failures)
    values (internal.login_address(), 1)
    on conflict (client_ip) do update set
        failures = case when a.first_failed_at < now() - internal.login_window() then 1 else a.failures + 1 end,
        first_failed_at = case
            when a.first_failed_at < now() - internal.login_window() then now() else a.first_failed_at
        end,
        locked_until = case
            when a.first_failed_at >= now() - internal.login_window() and a.failures + 1 >= 20
                then now() + internal.login_window()
        end;
end;

-- A success clears this account's failures from this address only (not the address's count across accounts:
-- one good account must not reset a spray over others).
create or replace function api.login_succeeded(p_tenant_slug text, p_email text) returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
    caller_tenant text := current_setting('pgpsa.tenant_id', true);
    tenant uuid;
begin
    delete from internal.login_failures as f
    where f.tenant_slug operator(extensions.=) p_tenant_slug::extensions.citext
      and f.email operator(extensions.=) p_email::extensions.citext
      and f.client_ip = internal.login_address();
    select t.id into tenant from app.tenants as t where t.slug operator(extensions.=) p_tenant_slug::extensions.citext;
    perform set_config('pgpsa.tenant_id', tenant::text, true);
    update app.users as u set last_login_at = now()
    where u.tenant_id = tenant and u.email operator(extensions.=) p_email::extensions.citext;
    perform set_config('pgpsa.tenant_id', coalesce(caller_tenant, ''), true);
end;
$$;

-- The permission cache the service sets for a request (NULL: the token's user is gone or disabled, so 401).
create or replace function api.permission_cache() returns text
language sql stable set search_path = ''
begin atomic
    select internal.permission_cache();
end;

-- A signed-in request's last step before its first query, in the same round trip (service/db.py): once the service
-- has set the context (SET LOCAL pgpsa.*, SET LOCAL ROLE), the user's permissions for the rest of the transaction
-- (pgpsa.permissions, the cache internal.has_any_permission reads), or PT401 when the token's user is gone or
-- disabled, which aborts the statements sent after it. set_config, not SET LOCAL: the value is the database's own;
-- only the search_path its door sets is restored when it returns.
create or replace function api.begin_request() returns void
language plpgsql volatile
as $$
declare
    cache text := internal.permission_cache();
begin
    if cache is null then
        raise exception using
            errcode = 'PT401',
            message = 'The user of this token no longer exists or is disabled.',
            hint = 'Sign in again.';
    end if;
    perform set_config('pgpsa.permissions', cache, true);
end;
$$;
