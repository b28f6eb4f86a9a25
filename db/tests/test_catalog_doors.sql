-- Catalog guards for the surface: request roles touch only the doors (api, portal, bi views and functions), every
-- owner-run function they may call is on the reviewed allowlist with its reason, every permission policy is the
-- one its declaration says, and the roles are wired as db/bootstrap.sql says. A new table, view, function, grant
-- or policy that breaks one of these fails here the moment it exists.
begin;
select plan(16);

select isnt_empty('select * from tests.request_roles', 'there are request roles to guard');

select is_empty(
    $$select r.rolname, c.oid::regclass from tests.request_roles as r
      cross join pg_class as c
      join pg_namespace as n on n.oid = c.relnamespace
      where n.nspname in ('app', 'internal', 'audit', 'queue') and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
        and (
            has_table_privilege(r.oid, c.oid, 'select, insert, update, delete, truncate, references, trigger')
            or (c.relkind <> 'S' and has_any_column_privilege(r.oid, c.oid, 'select, insert, update, references'))
        )$$,
    'no request role (nor any login of one) holds a privilege on a table, view or sequence outside the doors'
);

-- The job queue's role reads and writes procrastinate's schema and nothing else: not a table, not a door.
select is_empty(
    $$select c.oid::regclass::text from pg_class as c
      join pg_namespace as n on n.oid = c.relnamespace
      where n.nspname in ('app', 'internal', 'audit', 'api', 'bi', 'portal') and c.relkind in ('r', 'p', 'v', 'm', 'S')
        and has_table_privilege('pgpsa_queue', c.oid, 'select, insert, update, delete, truncate')
      union all
      select 'schema ' || n.nspname from pg_namespace as n
      where n.nspname in ('app', 'internal', 'audit', 'api', 'bi', 'portal')
        and has_schema_privilege('pgpsa_queue', n.oid, 'usage')$$,
    'the job queue''s role reaches nothing outside the schema queue'
);

select is_empty(
    $$select r.rolname, n.nspname from tests.request_roles as r
      cross join pg_namespace as n
      where n.nspname in ('app', 'internal', 'audit', 'queue') and has_schema_privilege(r.oid, n.oid, 'usage, create')$$,
    'no request role may even name an object in app, internal, audit or queue'
);

select is_empty(
    $$select r.rolname, c.oid::regclass from tests.request_roles as r
      cross join pg_class as c
      join pg_namespace as n on n.oid = c.relnamespace
      where n.nspname in ('api', 'portal', 'bi') and c.relkind in ('r', 'p')$$,
    'the doors hold no tables: only views and functions'
);

-- Owner-run functions a request role can run: each on the allowlist, granted to exactly the roles it names.
select is_empty(
    $$select p.oid::regprocedure, r.rolname from pg_proc as p
      join pg_namespace as n on n.oid = p.pronamespace
      join pg_roles as o on o.oid = p.proowner
      cross join tests.request_roles as r
      where p.prosecdef and o.rolname not like 'pgpsa\_door\_%'
        and n.nspname not in ('pg_catalog', 'information_schema', 'tests')
        and has_function_privilege(r.oid, p.oid, 'execute')
        and not exists (
            select from internal.definer_allowlist as a
            where a.function_signature = p.oid::regprocedure::text
              and (r.rolname = any(a.roles) or exists (
                  select from pg_auth_members as m join pg_roles as g on g.oid = m.roleid
                  where m.member = r.oid and g.rolname = any(a.roles)
              ))
        )$$,
    'every owner-run function a request role can execute is allowlisted for that role'
);

select is_empty(
    $$select a.function_signature from internal.definer_allowlist as a
      where not exists (
          select from pg_proc as p join pg_roles as o on o.oid = p.proowner
          where p.oid::regprocedure::text = a.function_signature and p.prosecdef and o.rolname = 'pgpsa_owner'
      )$$,
    'every allowlist entry is an owner-run function that exists (no stale entries)'
);

select is_empty(
    $$select p.oid::regprocedure from pg_proc as p
      join pg_namespace as n on n.oid = p.pronamespace
      join pg_roles as o on o.oid = p.proowner
      where n.nspname = 'api' and not (
          (p.prosecdef and o.rolname = 'pgpsa_door_api')
          or exists (select from internal.definer_allowlist as a where a.function_signature = p.oid::regprocedure::text)
      )$$,
    'every api function runs as the api door, but the allowlisted owner-run ones'
);

select is_empty(
    $$select p.oid::regprocedure, r.rolname from pg_proc as p
      join pg_namespace as n on n.oid = p.pronamespace
      cross join tests.request_roles as r
      where n.nspname in ('internal', 'audit', 'app') and has_function_privilege(r.oid, p.oid, 'execute')
        and (p.provolatile = 'v' or p.prosecdef)
        and not exists (select from internal.definer_allowlist as a where a.function_signature = p.oid::regprocedure::text)$$,
    'an internal function a request role can execute only reads the request context or its arguments'
);

-- Permissions: each declared once, and the policies and the door's grants say exactly that.
select is_empty(
    $$select d.table_name, d.command from internal.table_permissions as d
      where cardinality(d.permissions) > 0 and not exists (
          select from pg_policy as p
          where p.polrelid = internal.declared_table(d.table_name) and p.polname = 'permission_' || d.command
            and not p.polpermissive
            and p.polcmd = case d.command when 'select' then 'r' when 'insert' then 'a' when 'update' then 'w' else 'd' end
            and p.polroles = array[(select oid from pg_roles where rolname = 'pgpsa_door_api')]
            and coalesce(pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
            = format('(tenant_id = internal.permitted_tenant_id(%L::text[]))', d.permissions)
      )$$,
    'every declared permission has its generated policy, asking exactly the declared permissions'
);

select is_empty(
    $$select p.polrelid::regclass, p.polname from pg_policy as p
      join pg_class as c on c.oid = p.polrelid join pg_namespace as n on n.oid = c.relnamespace
      where p.polname like 'permission\_%' and not exists (
          select from internal.table_permissions as d
          where internal.declared_table(d.table_name) = p.polrelid and 'permission_' || d.command = p.polname
            and cardinality(d.permissions) > 0
      )$$,
    'no permission policy exists that the declaration does not say'
);

select is_empty(
    $$select t.qname, c.command from tests.tenant_tables as t
      cross join (values ('select'), ('insert'), ('update'), ('delete')) as c (command)
      where exists (select from internal.table_permissions as d where internal.declared_table(d.table_name) = t.relid)
        and (
            has_table_privilege('pgpsa_door_api', t.relid, c.command)
            or (c.command <> 'delete' and has_any_column_privilege('pgpsa_door_api', t.relid, c.command))
        ) and not exists (
            select from internal.table_permissions as d
            where internal.declared_table(d.table_name) = t.relid and d.command = c.command
        )$$,
    'the api door is granted no command on a table that the declaration does not give a permission for'
);

-- Roles and trust.
select is_empty(
    $$select m.member::regrole, m.roleid::regrole from pg_auth_members as m
      where m.roleid::regrole::text in ('pgpsa_owner', 'pgpsa_door_api', 'pgpsa_door_bi')
        and not (m.member::regrole::text = 'pgpsa_owner' and m.roleid::regrole::text like 'pgpsa\_door\_%')$$,
    'nobody can become the owner or a door (the owner hands objects to the doors, and inherits nothing)'
);

select is_empty(
    $$select rolname from pg_roles
      where rolname in ('pgpsa_owner', 'pgpsa_door_api', 'pgpsa_door_bi', 'pgpsa_anon', 'pgpsa_staff',
          'pgpsa_portal', 'pgpsa_webhook', 'pgpsa_worker', 'pgpsa_bi')
        and (rolcanlogin or (rolname = 'pgpsa_owner' and rolinherit))$$,
    'the owner, the doors and the request roles cannot log in; the owner does not inherit the doors'
);

select is_empty(
    $$select r.rolname from pg_roles as r
      where r.rolcanlogin and r.rolname <> 'pgpsa_service' and exists (
          select from pg_auth_members as m join pg_roles as g on g.oid = m.roleid
          where m.member = r.oid and g.rolname in ('pgpsa_staff', 'pgpsa_bi')
      )
      and internal.login_tenant_id(r.rolname) is null$$,
    'every login of pgpsa_staff or pgpsa_bi is a bound login (its tenant in its name; roles are per cluster, so a
    login of another database''s tenant may be here too, and reaches nothing)'
);

-- The service names its tenant in every read of an api view (service.api.surface._for_tenant), so the policies' tenant
-- test runs once a statement; a view without the column would be read with that test on every row.
select is_empty(
    $$select c.oid::regclass from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
      where n.nspname = 'api' and c.relkind = 'v' and c.relname <> 'job_queue'
        and not exists (select from pg_attribute as a where a.attrelid = c.oid and a.attname = 'tenant_id')$$,
    'every api view (but the job queue''s per-task summary) has the tenant_id the service names in its reads'
);

select * from finish();
rollback;
