-- Superuser bootstrap, run before migrations on every `pgpsa db up`: roles, extensions, ownership.
-- Idempotent. Roles are cluster-wide, so every pgpsa database in a cluster shares them.
--
-- Three kinds of role (README "Roles and trust"):
--   owner      pgpsa_owner owns the tables and internal code and runs migrations (forced RLS binds it too);
--   doors      pgpsa_door_api owns the api views and functions, pgpsa_door_bi the bi views,
--              pgpsa_door_portal the portal's: RLS binds them with
--              the request's context, and nobody can become them (no login, nobody holds them but the owner,
--              without inheriting);
--   requests   what a request runs as: pgpsa_anon (before sign-in), pgpsa_staff (a signed-in user; app logins
--              are its members), pgpsa_portal (a client contact), pgpsa_webhook (Stripe), pgpsa_worker (sweeps,
--              event delivery), pgpsa_bi (BI logins are its members). They hold no privilege on any table: they
--              read door views and call door functions, nothing else.
-- pgpsa_service is the service's login: NOINHERIT, it holds nothing until it SETs ROLE to a request role, or to
-- pgpsa_queue, the job queue's role, which reads and writes only procrastinate's schema `queue`.

do $$
declare
    r text;
begin
    foreach r in array array[
        'pgpsa_owner', 'pgpsa_door_api', 'pgpsa_door_bi', 'pgpsa_door_portal', 'pgpsa_anon', 'pgpsa_staff',
        'pgpsa_portal',
        'pgpsa_webhook', 'pgpsa_worker', 'pgpsa_bi', 'pgpsa_queue'
    ] loop
        if not exists (select from pg_roles where rolname = r) then
            execute format('create role %I nologin', r);
        end if;
        -- Only when something differs: roles are cluster-wide, and two databases' `db up` at once must not both
        -- rewrite the same role (tuple concurrently updated).
        if exists (
            select from pg_roles
            where rolname = r and (rolcanlogin or rolsuper or rolbypassrls or rolcreaterole or rolcreatedb)
        ) then
            execute format('alter role %I nologin nosuperuser nobypassrls nocreaterole nocreatedb', r);
        end if;
    end loop;
    if not exists (select from pg_roles where rolname = 'pgpsa_service') then
        create role pgpsa_service login noinherit;
    end if;
    if exists (
        select from pg_roles
        where rolname = 'pgpsa_service' and (rolsuper or rolbypassrls or rolcreaterole or rolcreatedb or rolinherit)
    ) then
        alter role pgpsa_service nosuperuser nobypassrls nocreaterole nocreatedb noinherit;
    end if;
    -- The owner may hand its door objects to the door roles (a member may), but does not inherit them: the doors'
    -- permission policies never bind the owner's own rules, and the owner is never taken for a door.
    if exists (select from pg_roles where rolname = 'pgpsa_owner' and rolinherit) then
        alter role pgpsa_owner noinherit;
    end if;
end
$$;

grant pgpsa_door_api to pgpsa_owner;
grant pgpsa_door_bi to pgpsa_owner;
grant pgpsa_door_portal to pgpsa_owner;

-- The service's login reaches exactly the request roles; anything else it was once granted is taken back.
do $$
declare
    m record;
begin
    for m in
        select r.rolname from pg_auth_members as am
        join pg_roles as r on r.oid = am.roleid
        join pg_roles as s on s.oid = am.member
        where s.rolname = 'pgpsa_service'
          and r.rolname not in (
              'pgpsa_anon', 'pgpsa_staff', 'pgpsa_portal', 'pgpsa_webhook', 'pgpsa_worker', 'pgpsa_queue'
          )
    loop
        execute format('revoke %I from pgpsa_service', m.rolname);
    end loop;
end
$$;
grant pgpsa_anon to pgpsa_service;
grant pgpsa_staff to pgpsa_service;
grant pgpsa_portal to pgpsa_service;
grant pgpsa_webhook to pgpsa_service;
grant pgpsa_worker to pgpsa_service;
-- The job queue's own role (procrastinate's connections): it touches the schema `queue` and nothing else.
grant pgpsa_queue to pgpsa_service;

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
