-- One place for what every tenant table gets: forced RLS scoped to the request's tenant for the owner and the
-- doors, the audit trigger and the updated_at trigger. A tenant table is a table in schema app (or audit) with a
-- tenant_id column; adding one in a migration is enough, the next `db up` equips it.
-- Every policy and every grant on app, audit and internal tables comes from the policy files, so none outlives its
-- file: grants are taken back here and given again by the files after it (in the same transaction, and without a
-- lock on any table); policies and triggers are declared through internal.ensure_ddl, which leaves one that did not
-- change alone (so a table whose rules did not change is not locked), and `db up` drops every policy no file
-- declared (internal.finish_declarations).

-- Taken back from whoever holds them but the owner (a door, a request role, a login or public given one by hand), and
-- so are the schemas: the doors get their usage back in 9000_doors.sql, nobody else ever has it.
do $$
declare
    o record;
begin
    for o in
        select distinct h.kind || ' ' || h.name as what, h.grantee from internal.held_privileges as h
    loop
        if o.grantee = 0 or o.grantee::regrole::text <> 'pgpsa_owner' then
            execute format(
                'revoke all on %s from %s', o.what, case o.grantee when 0 then 'public' else o.grantee::regrole::text end
            );
        end if;
    end loop;
end
$$;

-- Row-level security on, and forced, where it is not yet (ALTER TABLE locks the table even when nothing changes).
do $$
declare
    t record;
begin
    for t in select u.rel, u.enabled, u.forced from internal.unforced_tables as u loop
        if not t.enabled then
            execute format('alter table %s enable row level security', t.rel);
        end if;
        if not t.forced then
            execute format('alter table %s force row level security', t.rel);
        end if;
    end loop;
end
$$;

-- Global lookups (tables in app without tenant_id, but the tenants themselves: permissions, vocabularies of moves,
-- currencies): every door reads them, and only the owner (migrations) writes them.
do $$
declare
    t record;
begin
    for t in
        select c.oid, c.relname from pg_class as c
        where c.relnamespace = 'app'::regnamespace and c.relkind in ('r', 'p') and c.relname <> 'tenants'
          and not exists (select from pg_attribute as a where a.attrelid = c.oid and a.attname = 'tenant_id')
    loop
        perform internal.ensure_ddl('policy', t.oid, 'lookup_read', format(
            'create policy lookup_read on app.%I for select to pgpsa_door_api, pgpsa_door_bi, pgpsa_owner using (true)',
            t.relname
        ));
        perform internal.ensure_ddl('policy', t.oid, 'lookup_kept_by_migrations', format(
            'create policy lookup_kept_by_migrations on app.%I for all to pgpsa_owner using (true) with check (true)',
            t.relname
        ));
        execute format('grant select on app.%I to pgpsa_door_api, pgpsa_door_bi', t.relname);
    end loop;
end
$$;

do $$
declare
    t record;
    key_columns text;
    secret_columns text;
    event text;
begin
    for t in
        select c.oid, n.nspname as schema_name, c.relname as table_name
        from pg_class as c
        join pg_namespace as n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and n.nspname in ('app', 'audit')
          and exists (select from pg_attribute as a where a.attrelid = c.oid and a.attname = 'tenant_id')
    loop
        -- The doors read and write as the request's tenant (a bound login's own tenant), and so does the owner.
        perform internal.ensure_ddl('policy', t.oid, 'tenant_isolation', format(
            'create policy tenant_isolation on %I.%I as permissive for all '
            'to pgpsa_owner, pgpsa_door_api, pgpsa_door_bi '
            'using (tenant_id = internal.current_tenant_id()) '
            'with check (tenant_id = internal.current_tenant_id())',
            t.schema_name, t.table_name
        ));

        if t.schema_name = 'audit' then
            continue;
        end if;

        -- Statement-level audit: one trigger per event, each with its transition tables (declared below); the
        -- single trigger of old goes.
        perform internal.drop_ddl_if_present('trigger', t.oid, format('trg_%s_900_audit', t.table_name));
        -- A derived log (its guard trigger is trg_<table>_100_derived_log) copies changes that are audited
        -- already; auditing its rows too would store each change twice. Its owner-run trigger writes in the tenant
        -- of the row it copies, which RLS already checked for the writer (a superuser's own write has no request
        -- tenant, and is logged too).
        if exists (
            select from pg_trigger as tg
            where tg.tgrelid = t.oid and tg.tgname = format('trg_%s_100_derived_log', t.table_name)
        ) then
            perform internal.ensure_ddl('policy', t.oid, 'derived_by_trigger', format(
                'create policy derived_by_trigger on %I.%I for insert to pgpsa_owner with check (true)',
                t.schema_name, t.table_name
            ));
            foreach event in array array['insert', 'update', 'delete'] loop
                perform internal.drop_ddl_if_present('trigger', t.oid, format('trg_%s_900_audit_%s', t.table_name, event));
            end loop;
            continue;
        end if;
        -- Derived totals (migration 0025) cache sums of audited rows: auditing them too would log each change twice.
        if exists (
            select from pg_trigger as tg
            where tg.tgrelid = t.oid and tg.tgname = format('trg_%s_100_derived_totals', t.table_name)
        ) then
            continue;
        end if;

        select string_agg(a.attname, ',' order by k.ord) into key_columns
        from pg_index as i
        cross join lateral unnest(i.indkey) with ordinality as k (attnum, ord)
        join pg_attribute as a on a.attrelid = i.indrelid and a.attnum = k.attnum
        where i.indrelid = t.oid and i.indisprimary;
        -- Secrets never enter the audit log: hashes, encrypted values, tokens.
        select coalesce(string_agg(a.attname, ','), '') into secret_columns
        from pg_attribute as a
        where a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped
          and (a.attname like '%password_hash' or a.attname like '%token_hash' or a.attname like '%_encrypted'
               or a.attname like '%code_hash' or a.attname like '%secret%');

        perform internal.ensure_ddl('trigger', t.oid, format('trg_%s_900_audit_insert', t.table_name), format(
            'create trigger trg_%s_900_audit_insert after insert on %I.%I referencing new table as new_rows '
            'for each statement execute function audit.tg__audit(%L, %L)',
            t.table_name, t.schema_name, t.table_name, key_columns, secret_columns
        ));
        perform internal.ensure_ddl('trigger', t.oid, format('trg_%s_900_audit_update', t.table_name), format(
            'create trigger trg_%s_900_audit_update after update on %I.%I '
            'referencing old table as old_rows new table as new_rows '
            'for each statement execute function audit.tg__audit(%L, %L)',
            t.table_name, t.schema_name, t.table_name, key_columns, secret_columns
        ));
        perform internal.ensure_ddl('trigger', t.oid, format('trg_%s_900_audit_delete', t.table_name), format(
            'create trigger trg_%s_900_audit_delete after delete on %I.%I referencing old table as old_rows '
            'for each statement execute function audit.tg__audit(%L, %L)',
            t.table_name, t.schema_name, t.table_name, key_columns, secret_columns
        ));

        if exists (select from pg_attribute as a where a.attrelid = t.oid and a.attname = 'updated_at') then
            perform internal.ensure_ddl('trigger', t.oid, format('trg_%s_500_updated_at', t.table_name), format(
                'create trigger trg_%s_500_updated_at before update on %I.%I '
                'for each row execute function internal.tg__touch_updated_at()',
                t.table_name, t.schema_name, t.table_name
            ));
        end if;
    end loop;
end
$$;
