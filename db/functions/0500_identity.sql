-- Tenants, staff users and sign-in: admin helpers for the CLI, and the login functions the token endpoint calls.

-- Admin (CLI, as the database owner or a superuser).
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

-- A read-only login for a BI tool, bound to one tenant (needs CREATEROLE: run by a superuser).
create or replace function internal.create_bi_login(p_tenant_id uuid, p_login name, p_password text)
returns name
language plpgsql volatile set search_path = ''
as $$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = p_login) then
        execute format('create role %I login password %L in role pgpsa_bi', p_login, p_password);
    end if;
    insert into internal.bi_logins (login, tenant_id) values (p_login, p_tenant_id)
    on conflict (login) do update set tenant_id = excluded.tenant_id;
    return p_login;
end;
$$;

-- Sign-in. These run before any tenant is known, as the owner; each sets the tenant for its own lookups only.
-- search_path is empty, so citext comparisons name their operator (a bare = would compare case-sensitively).
create or replace function internal.login_window() returns interval
language sql immutable
begin atomic
    select interval '15 minutes';
end;

create or replace function api.login_lookup(p_tenant_slug text, p_email text)
returns table (tenant_id uuid, user_id uuid, password_hash text)
language plpgsql volatile security definer set search_path = ''
as $$
declare
    locked timestamptz;
    tenant uuid;
begin
    select t.locked_until into locked
    from internal.login_throttle as t
    where t.tenant_slug operator(extensions.=) p_tenant_slug::extensions.citext
      and t.email operator(extensions.=) p_email::extensions.citext;
    if locked > now() then
        raise exception using
            errcode = 'PT429',
            message = 'Too many failed sign-in attempts for this account.',
            hint = format('Try again in %s minutes.', ceil(extract(epoch from locked - now()) / 60));
    end if;
    select t.id into tenant from app.tenants as t where t.slug operator(extensions.=) p_tenant_slug::extensions.citext;
    if tenant is null then
        return;
    end if;
    perform set_config('pgpsa.tenant_id', tenant::text, true);
    return query
    select u.tenant_id, u.id, u.password_hash
    from app.users as u
    where u.tenant_id = tenant and u.email operator(extensions.=) p_email::extensions.citext and u.disabled_at is null;
    perform set_config('pgpsa.tenant_id', '', true);
end;
$$;

-- Five failures inside the window lock the account for the window.
create or replace function api.login_failed(p_tenant_slug text, p_email text) returns void
language sql volatile security definer set search_path = ''
begin atomic
    insert into internal.login_throttle as t (tenant_slug, email, failures)
    values (p_tenant_slug, p_email, 1)
    on conflict (tenant_slug, email) do update set
        failures = case when t.first_failed_at < now() - internal.login_window() then 1 else t.failures + 1 end,
        first_failed_at = case
            when t.first_failed_at < now() - internal.login_window() then now() else t.first_failed_at
        end,
        locked_until = case
            when t.first_failed_at >= now() - internal.login_window() and t.failures + 1 >= 5
                then now() + internal.login_window()
        end;
end;

create or replace function api.login_succeeded(p_tenant_slug text, p_email text) returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
    tenant uuid;
begin
    delete from internal.login_throttle as t
    where t.tenant_slug operator(extensions.=) p_tenant_slug::extensions.citext
      and t.email operator(extensions.=) p_email::extensions.citext;
    select t.id into tenant from app.tenants as t where t.slug operator(extensions.=) p_tenant_slug::extensions.citext;
    perform set_config('pgpsa.tenant_id', tenant::text, true);
    update app.users as u set last_login_at = now()
    where u.tenant_id = tenant and u.email operator(extensions.=) p_email::extensions.citext;
    perform set_config('pgpsa.tenant_id', '', true);
end;
$$;

grant execute on function api.login_lookup(text, text), api.login_failed(text, text),
api.login_succeeded(text, text) to pgpsa_staff;
