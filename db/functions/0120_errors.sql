-- Words for constraint violations: the human message lives as a COMMENT on the constraint (of a table or a domain)
-- or on the unique index.

create or replace function api.constraint_message(p_schema text, p_table text, p_constraint text) returns text
language sql stable set search_path = ''
begin atomic
    select coalesce(
        (
            select pg_catalog.obj_description(c.oid, 'pg_constraint')
            from pg_catalog.pg_constraint as c
            where
                c.conname = p_constraint
                and c.conrelid = to_regclass(quote_ident(p_schema) || '.' || quote_ident(p_table))
        ),
        (
            select pg_catalog.obj_description(i.oid, 'pg_class')
            from pg_catalog.pg_class as i
            inner join pg_catalog.pg_namespace as n on i.relnamespace = n.oid
            where i.relname = p_constraint and n.nspname = p_schema and i.relkind = 'i'
        ),
        -- A domain's own rule (a length, a vocabulary): the error names the domain's schema, not a table.
        (
            select pg_catalog.obj_description(c.oid, 'pg_constraint')
            from pg_catalog.pg_constraint as c
            inner join pg_catalog.pg_type as t on c.contypid = t.oid
            inner join pg_catalog.pg_namespace as n on t.typnamespace = n.oid
            where c.conname = p_constraint and n.nspname = p_schema
        )
    );
end;
