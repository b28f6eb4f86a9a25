-- Policies and triggers are declared, not remade: `db up` (service/migrate.py) hands every `create policy` and
-- `create trigger` of a repeatable file to internal.ensure_ddl, and the policy files call it too. A declaration
-- whose statement and catalog definition did not change since it was made is left alone, so re-applying the files
-- takes no lock on a table whose rules did not change; one that changed (or was changed by hand) is dropped and
-- made again. After the last file, internal.finish_declarations drops what no file declared in this run.
-- Run by `db up` as the owner; granted to nobody.

-- The catalog's own words for a policy or a trigger (null when there is none).
create or replace function internal.ddl_definition(p_kind text, p_table regclass, p_name text) returns text
language sql stable set search_path = ''
begin atomic
    select case p_kind
        when 'trigger'
            then (
                select pg_catalog.pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
                from pg_catalog.pg_trigger as t
                where t.tgrelid = p_table and t.tgname = p_name and not t.tgisinternal
            )
        when 'policy' then (
            select
                concat_ws(
                    ' | ',
                    case when p.polpermissive then 'permissive' else 'restrictive' end,
                    p.polcmd,
                    (
                        select
                            string_agg(
                                case r.oid when 0 then 'public' else r.oid::regrole::text end, ',' order by r.oid
                            )
                        from unnest(p.polroles) as r (oid)
                    ),
                    pg_catalog.pg_get_expr(p.polqual, p.polrelid),
                    pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)
                )
            from pg_catalog.pg_policy as p
            where p.polrelid = p_table and p.polname = p_name
        )
    end;
end;

-- Makes a policy or trigger as p_ddl says, unless it is there as that same statement made it; returns whether it
-- (re)made it. Either way it is declared in this run (declared_at is the transaction's start).
create or replace function internal.ensure_ddl(p_kind text, p_table regclass, p_name text, p_ddl text)
returns boolean
language plpgsql volatile set search_path = ''
as $$
declare
    found_definition text := internal.ddl_definition(p_kind, p_table, p_name);
begin
    if found_definition is not null and exists (
        select from internal.declared_ddl as d
        where d.kind = p_kind and d.table_name = p_table::text and d.name = p_name and d.ddl = p_ddl
          and d.definition = found_definition
    ) then
        update internal.declared_ddl as d set declared_at = now()
        where d.kind = p_kind and d.table_name = p_table::text and d.name = p_name;
        return false;
    end if;
    if found_definition is not null then
        execute format('drop %s %I on %s', p_kind, p_name, p_table);
    end if;
    execute p_ddl;
    found_definition := internal.ddl_definition(p_kind, p_table, p_name);
    if found_definition is null then
        raise exception 'the statement declaring % % on % made no % of that name', p_kind, p_name, p_table, p_kind
        using hint = p_ddl;
    end if;
    insert into internal.declared_ddl as d (kind, table_name, name, ddl, definition, declared_at)
    values (p_kind, p_table::text, p_name, p_ddl, found_definition, now())
    on conflict (kind, table_name, name) do update
        set ddl = excluded.ddl, definition = excluded.definition, declared_at = excluded.declared_at;
    -- `db up` says how many it remade.
    perform set_config(
        'pgpsa.ddl_remade', (coalesce(nullif(current_setting('pgpsa.ddl_remade', true), ''), '0')::integer + 1)::text, true
    );
    return true;
end;
$$;

-- `alter table ... enable|force row level security` in a file: ALTER TABLE locks the table even when it changes
-- nothing, so it runs only when the table is not that way yet.
create or replace function internal.ensure_row_security(p_table regclass, p_how text) returns boolean
language plpgsql volatile set search_path = ''
as $$
begin
    if exists (
        select from pg_catalog.pg_class as c
        where c.oid = p_table and case p_how when 'enable' then c.relrowsecurity else c.relforcerowsecurity end
    ) then
        return false;
    end if;
    execute format('alter table %s %s row level security', p_table, p_how);
    return true;
end;
$$;

-- `drop policy|trigger if exists` in a file: locks the table only when there is something to drop.
create or replace function internal.drop_ddl_if_present(p_kind text, p_table regclass, p_name text) returns boolean
language plpgsql volatile set search_path = ''
as $$
begin
    delete from internal.declared_ddl as d
    where d.kind = p_kind and d.table_name = p_table::text and d.name = p_name;
    if internal.ddl_definition(p_kind, p_table, p_name) is null then
        return false;
    end if;
    execute format('drop %s %I on %s', p_kind, p_name, p_table);
    return true;
end;
$$;

-- After the last file: every policy on an app or audit table is a file's, so one no file declared in this run
-- goes; so does a trigger a file declared once and no longer does. Returns what it dropped.
create or replace function internal.finish_declarations() returns setof text
language plpgsql volatile set search_path = ''
as $$
declare
    o record;
begin
    for o in
        select 'policy' as kind, p.polrelid::regclass as rel, p.polname::text as name
        from pg_catalog.pg_policy as p
        join pg_catalog.pg_class as c on c.oid = p.polrelid
        where c.relnamespace in ('app'::regnamespace, 'audit'::regnamespace)
          and not exists (
              select from internal.declared_ddl as d
              where d.kind = 'policy' and d.table_name = p.polrelid::regclass::text and d.name = p.polname
                and d.declared_at = now()
          )
        union all
        select d.kind, to_regclass(d.table_name), d.name
        from internal.declared_ddl as d
        where d.kind = 'trigger' and d.declared_at <> now()
    loop
        if o.rel is not null and internal.drop_ddl_if_present(o.kind, o.rel, o.name) then
            return next format('%s %s on %s', o.kind, o.name, o.rel);
        end if;
    end loop;
    delete from internal.declared_ddl as d where d.declared_at <> now();
end;
$$;
