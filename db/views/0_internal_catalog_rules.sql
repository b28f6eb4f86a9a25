-- What the catalog says of two rules of the app, read in one place: by the policy files that enforce them
-- (db/policies/0100_tenant_tables.sql) and by `db status`, which reports a change made to them by hand
-- (service/drift.py). No request role reaches them (internal is not theirs); the doors read them as they read every
-- internal view (9000_doors.sql), which shows them nothing the catalog does not show every role.

-- Every privilege held on the schemas app, audit and internal and on their tables and sequences, by grantee
-- (0: public). Only the owner holds one but for what the policy files grant to the doors after taking all back.
create or replace view internal.held_privileges as
select
    'schema' as kind,
    format('%I', n.nspname) as name,
    a.privilege_type as privilege,
    a.grantee
from pg_catalog.pg_namespace as n
cross join lateral pg_catalog.aclexplode(n.nspacl) as a
where n.nspname in ('app', 'audit', 'internal')
union all
select
    case c.relkind when 'S' then 'sequence' else 'table' end as kind,
    c.oid::regclass::text as name,
    a.privilege_type as privilege,
    a.grantee
from pg_catalog.pg_class as c
cross join lateral pg_catalog.aclexplode(c.relacl) as a
where c.relnamespace in ('app'::regnamespace, 'audit'::regnamespace, 'internal'::regnamespace);

-- The app and audit tables whose row-level security is not on and forced: every one must be.
create or replace view internal.unforced_tables as
select
    c.oid::regclass as rel,
    c.relrowsecurity as enabled,
    c.relforcerowsecurity as forced
from pg_catalog.pg_class as c
where
    c.relnamespace in ('app'::regnamespace, 'audit'::regnamespace) and c.relkind in ('r', 'p')
    and not (c.relrowsecurity and c.relforcerowsecurity);
