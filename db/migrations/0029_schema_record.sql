-- The schema as the migrations left it: each column, constraint and index of app, audit and internal (and each
-- domain's constraint), as the catalog describes it, recorded by the `db up` that applied migrations. `db status`
-- compares the catalog with it, so a rule dropped by hand (a check, a tenant key, an index) does not go unnoticed
-- (service/drift.py).
-- depends: 0028_repeatable_fingerprints

create table internal.schema_objects (
    kind text not null check (kind in ('column', 'constraint', 'index')),
    name text not null,
    definition text not null,
    constraint pk_schema_objects primary key (kind, name)
);
comment on table internal.schema_objects is
'Each column, constraint and index as the catalog described it after the last db up that applied migrations.';
