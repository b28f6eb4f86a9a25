-- What `pgpsa db up` keeps to deploy without stopping the world (README "Deploys"): the checksum of every applied
-- migration (an applied file that changes stops `db up`), the checksum of every repeatable file at its last
-- re-apply (nothing changed, nothing is re-applied), the code each repeatable file made (a function or view no file
-- defines any more is dropped), and each policy and trigger a file declares with the catalog's own words for it
-- (one that did not change is left alone, so its table is not locked).
-- depends: 0017_shapes_sales

create table internal.migration_checksums (
    migration text primary key,
    checksum text not null,
    recorded_at timestamptz not null default now()
);
comment on table internal.migration_checksums is
'SHA-256 of each applied migration file, recorded by the first `db up` that knew of it: a later change stops `db up`.';

create table internal.repeatable_files (
    path text primary key,
    checksum text not null,
    applied_at timestamptz not null default now()
);
comment on table internal.repeatable_files is
'SHA-256 of each repeatable file (db/functions, db/views, db/policies) at the last re-apply.';

create table internal.repeatable_code (
    identity text not null,
    kind text not null check (kind in ('function', 'view')),
    path text not null,
    constraint pk_repeatable_code primary key (kind, identity)
);
comment on table internal.repeatable_code is
'The functions and views the repeatable files made at the last re-apply; one no file makes any more is dropped.';

create table internal.declared_ddl (
    kind text not null check (kind in ('policy', 'trigger')),
    table_name text not null,
    name text not null,
    ddl text not null,
    definition text not null,
    declared_at timestamptz not null,
    constraint pk_declared_ddl primary key (kind, table_name, name)
);
comment on table internal.declared_ddl is
'Each policy and trigger as a repeatable file declares it and as the catalog described it once made.';

-- During a re-apply `db up` points an event trigger at this function: it records every function and view made,
-- with the file (pgpsa.repeatable_file) that made it, in the re-apply's temporary table.
create function internal.tg__record_repeatable_code() returns event_trigger
language plpgsql volatile set search_path = ''
as $$
begin
    insert into pg_temp.repeatable_made (identity, kind, path)
    select c.object_identity, case when c.object_type = 'view' then 'view' else 'function' end,
        current_setting('pgpsa.repeatable_file', true)
    from pg_catalog.pg_event_trigger_ddl_commands() as c
    where c.object_type in ('function', 'procedure', 'view') and c.object_identity is not null
    on conflict do nothing;
end;
$$;
