-- Superuser bootstrap, run before migrations on every `pgpsa db up`: roles, extensions, ownership.
-- Idempotent. Roles are cluster-wide, so every pgpsa database in a cluster shares them.

do $$
begin
    -- Owns every object; migrations run as it. Not a superuser and no BYPASSRLS: forced RLS binds it too.
    if not exists (select from pg_roles where rolname = 'pgpsa_owner') then
        create role pgpsa_owner nologin;
    end if;
    if not exists (select from pg_roles where rolname = 'pgpsa_staff') then
        create role pgpsa_staff nologin;
    end if;
    if not exists (select from pg_roles where rolname = 'pgpsa_portal') then
        create role pgpsa_portal nologin;
    end if;
    if not exists (select from pg_roles where rolname = 'pgpsa_bi') then
        create role pgpsa_bi nologin;
    end if;
    -- The service's login: NOINHERIT, so it holds no privilege until it SETs ROLE to staff or portal.
    if not exists (select from pg_roles where rolname = 'pgpsa_service') then
        create role pgpsa_service login noinherit;
    end if;
end
$$;

alter role pgpsa_owner nosuperuser nobypassrls nocreaterole;
alter role pgpsa_staff nosuperuser nobypassrls;
alter role pgpsa_portal nosuperuser nobypassrls;
alter role pgpsa_bi nosuperuser nobypassrls;
alter role pgpsa_service nosuperuser nobypassrls noinherit;
grant pgpsa_staff to pgpsa_service;
grant pgpsa_portal to pgpsa_service;

do $$
begin
    execute format('alter database %I owner to pgpsa_owner', current_database());
end
$$;

create schema if not exists extensions;
alter schema extensions owner to pgpsa_owner;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists citext with schema extensions;
-- Exclusion constraints over (tenant, assignment, period): one billing per assignment and period.
create extension if not exists btree_gist with schema extensions;
alter schema public owner to pgpsa_owner;
revoke all on schema public from public;
grant usage on schema extensions to public;

-- pgTAP is only needed by the tests; install it when the server has it.
do $$
begin
    if exists (select from pg_available_extensions where name = 'pgtap') then
        create extension if not exists pgtap with schema extensions;
    end if;
end
$$;

-- Every session in this database finds extension objects (citext, pgTAP) without qualifying them.
do $$
begin
    execute format('alter database %I set search_path = "$user", public, extensions', current_database());
    -- Many short queries: JIT compiling (hundreds of ms, triggered by the row estimates RLS expressions inflate)
    -- costs far more than it saves here. A BI session can still `set jit = on`.
    execute format('alter database %I set jit = off', current_database());
end
$$;
