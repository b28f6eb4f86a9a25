-- Test helpers (schema tests), loaded into the test database by the pytest harness before the pgTAP files run.
-- Personas: staff of a tenant (authenticate_as), another tenant's staff, nobody (clear_authentication), BI login.

create schema if not exists tests;

create or replace function tests.create_tenant(p_slug text) returns uuid
language sql volatile
begin atomic
    select internal.create_tenant(p_slug, initcap(p_slug) || ' Ltd');
end;

create or replace function tests.create_user(p_tenant_id uuid, p_role text, p_email text default null) returns uuid
language sql volatile
begin atomic
    select internal.create_user(
        p_tenant_id, coalesce(p_email, p_role || '-' || left(gen_random_uuid()::text, 8) || '@example.test'),
        initcap(p_role) || ' Person', p_role, 'not-a-real-hash'
    );
end;

-- Become a staff user for the rest of the transaction, as the service does per request.
create or replace function tests.authenticate_as(p_user_id uuid) returns void
language plpgsql volatile
as $$
declare
    tenant uuid;
begin
    perform set_config('role', 'none', true);
    select u.tenant_id into strict tenant from app.users as u where u.id = p_user_id;
    perform set_config('pgpsa.tenant_id', tenant::text, true);
    perform set_config('pgpsa.user_id', p_user_id::text, true);
    perform set_config('pgpsa.permissions', '', true);
    perform set_config('role', 'pgpsa_staff', true);
end;
$$;

-- Staff role with no tenant and no user: what a request before sign-in sees.
create or replace function tests.clear_authentication() returns void
language plpgsql volatile
as $$
begin
    perform set_config('role', 'none', true);
    perform set_config('pgpsa.tenant_id', '', true);
    perform set_config('pgpsa.user_id', '', true);
    perform set_config('pgpsa.permissions', '', true);
    perform set_config('role', 'pgpsa_staff', true);
end;
$$;

-- Back to the test's own superuser, with no context.
create or replace function tests.as_superuser() returns void
language plpgsql volatile
as $$
begin
    perform set_config('role', 'none', true);
    perform set_config('pgpsa.tenant_id', '', true);
    perform set_config('pgpsa.user_id', '', true);
    perform set_config('pgpsa.permissions', '', true);
end;
$$;

-- Tenant tables: tables in app or audit with a tenant_id column (the catalog guards and isolation tests use it).
create or replace view tests.tenant_tables as
select
    c.oid as relid,
    n.nspname as schema_name,
    c.relname as table_name,
    format('%I.%I', n.nspname, c.relname) as qname
from pg_class as c
inner join pg_namespace as n on c.relnamespace = n.oid
where
    c.relkind in ('r', 'p') and n.nspname in ('app', 'audit')
    and exists (
        select from pg_attribute as a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
    );

-- At least one row in every tenant table for the tenant, through the real rules. Each issue that adds a
-- tenant table extends this, or the isolation test names the table that has no rows to protect.
create or replace function tests.seed_tenant(p_tenant_id uuid) returns void
language plpgsql volatile
as $$
declare
    manager uuid;
    client uuid;
begin
    manager := tests.create_user(p_tenant_id, 'manager');
    perform tests.authenticate_as(manager);
    client := api.create_client(jsonb_build_object(
        'account_code', 'SEED-' || left(p_tenant_id::text, 8), 'name', 'Seed client', 'channel', 'retail',
        'tax_id', 'TAX-1'
    ));
    perform api.create_contact(client, '{"name": "Seed contact", "is_primary": true}');
    perform internal.next_document_number('invoice');
    perform internal.record_event('client.seeded', 'client', client, '{}');
    perform tests.as_superuser();
    insert into app.user_permissions (tenant_id, user_id, permission, granted)
    values (p_tenant_id, manager, 'audit:read', true);
end;
$$;

grant usage on schema tests to public;

-- Every way staff of tenant A could touch tenant B's rows, tried on every tenant table; returns what got through.
-- Run as the superuser; it switches personas itself and returns to the superuser.
create or replace function tests.isolation_breaches(p_user_a uuid, p_tenant_b uuid)
returns table (table_name text, breach text)
language plpgsql volatile
as $$
declare
    t record;
    sample jsonb;
    n bigint;
    cols text;
    upd_col text;
begin
    for t in select * from tests.tenant_tables order by 4 loop
        perform tests.as_superuser();
        execute format('select to_jsonb(x) from %s as x where tenant_id = $1 limit 1', t.qname)
        into sample using p_tenant_b;
        if sample is null then
            table_name := t.qname; breach := 'no row of tenant B to protect: extend tests.seed_tenant'; return next;
            continue;
        end if;
        select string_agg(quote_ident(a.attname), ', ') into cols
        from pg_attribute as a
        where a.attrelid = t.relid and a.attnum > 0 and not a.attisdropped and a.attidentity = ''
          and has_column_privilege('pgpsa_staff', t.relid, a.attnum, 'INSERT');
        select quote_ident(a.attname) into upd_col
        from pg_attribute as a
        where a.attrelid = t.relid and a.attnum > 0 and not a.attisdropped
          and has_column_privilege('pgpsa_staff', t.relid, a.attnum, 'UPDATE')
        limit 1;

        perform tests.authenticate_as(p_user_a);
        execute format('select count(*) from %s where tenant_id = $1', t.qname) into n using p_tenant_b;
        if n > 0 then
            table_name := t.qname; breach := 'read'; return next;
        end if;
        if upd_col is not null then
            begin
                execute format('update %s set %s = %2$s where tenant_id = $1', t.qname, upd_col) using p_tenant_b;
                get diagnostics n = row_count;
                if n > 0 then
                    table_name := t.qname; breach := 'update'; return next;
                end if;
            exception
                when insufficient_privilege then null;
                when others then table_name := t.qname; breach := 'update reached a row: ' || sqlerrm; return next;
            end;
        end if;
        if has_table_privilege('pgpsa_staff', t.relid, 'DELETE') then
            begin
                execute format('delete from %s where tenant_id = $1', t.qname) using p_tenant_b;
                get diagnostics n = row_count;
                if n > 0 then
                    table_name := t.qname; breach := 'delete'; return next;
                end if;
            exception
                when insufficient_privilege then null;
                when others then table_name := t.qname; breach := 'delete reached a row: ' || sqlerrm; return next;
            end;
        end if;
        if cols is not null then
            begin
                execute format('insert into %1$s (%2$s) select %2$s from jsonb_populate_record(null::%1$s, $1)',
                    t.qname, cols) using sample;
                table_name := t.qname; breach := 'insert with tenant B''s tenant_id'; return next;
            exception
                when insufficient_privilege then null;  -- refused by the policy's with check
                when others then
                    table_name := t.qname; breach := 'insert passed the policy, then: ' || sqlerrm; return next;
            end;
        end if;

        -- Nobody: staff role with no tenant set.
        perform tests.clear_authentication();
        execute format('select count(*) from %s', t.qname) into n;
        if n > 0 then
            table_name := t.qname; breach := 'read with no tenant set'; return next;
        end if;
        if cols is not null then
            begin
                execute format('insert into %1$s (%2$s) select %2$s from jsonb_populate_record(null::%1$s, $1)',
                    t.qname, cols) using sample;
                table_name := t.qname; breach := 'insert with no tenant set'; return next;
            exception
                when insufficient_privilege then null;
                when others then
                    table_name := t.qname; breach := 'insert with no tenant passed the policy, then: ' || sqlerrm;
                    return next;
            end;
        end if;
    end loop;
    perform tests.as_superuser();
end;
$$;

-- Named ids within a test's transaction (pytest-pgtap sends plain SQL: no psql variables).
create or replace function tests.remember(p_name text, p_id uuid) returns uuid
language sql volatile
begin atomic
    select set_config('tests.' || p_name, p_id::text, true)::uuid;
end;

create or replace function tests.get(p_name text) returns uuid
language sql stable
begin atomic
    select current_setting('tests.' || p_name)::uuid;
end;

-- A transaction-local setting, returning nothing: pytest-pgtap reads every text a setup select returns as TAP.
create or replace function tests.set(p_name text, p_value text) returns void
language sql volatile
begin atomic
    select set_config(p_name, p_value, true);
end;
