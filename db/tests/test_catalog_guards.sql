-- Catalog guards: every tenant table, policy, view, function and role stays in the shape tenancy needs.
begin;
select plan(19);

select isnt_empty(
    'select * from tests.tenant_tables',
    'there are tenant tables to guard'
);

select is_empty(
    $$select t.qname from tests.tenant_tables as t
      where not exists (
          select from pg_index as i
          where i.indrelid = t.relid and i.indisprimary
            and (select a.attname from pg_attribute as a where a.attrelid = t.relid and a.attnum = i.indkey[0])
                = 'tenant_id'
      )$$,
    'tenant_id leads the primary key of every tenant table'
);

select is_empty(
    $$select t.qname, ic.relname from tests.tenant_tables as t
      join pg_index as i on i.indrelid = t.relid and i.indisunique
      join pg_class as ic on ic.oid = i.indexrelid
      where not exists (
          select from pg_attribute as a
          where a.attrelid = t.relid and a.attname = 'tenant_id' and a.attnum = any(i.indkey)
      )$$,
    'every unique constraint and unique index on a tenant table includes tenant_id'
);

select is_empty(
    $$select con.conname from pg_constraint as con
      join tests.tenant_tables as src on src.relid = con.conrelid
      join tests.tenant_tables as dst on dst.relid = con.confrelid
      where con.contype = 'f'
        and not (
            (select a.attnum from pg_attribute as a where a.attrelid = src.relid and a.attname = 'tenant_id')
                = any(con.conkey)
            and (select a.attnum from pg_attribute as a where a.attrelid = dst.relid and a.attname = 'tenant_id')
                = any(con.confkey)
        )$$,
    'every foreign key between tenant tables includes tenant_id on both sides'
);

select is_empty(
    $$select format('%I.%I', n.nspname, c.relname) from pg_class as c
      join pg_namespace as n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname in ('app', 'audit')
        and not (c.relrowsecurity and c.relforcerowsecurity)$$,
    'row-level security is enabled and forced on every table in app and audit'
);

select is_empty(
    $$select format('%I.%I', n.nspname, c.relname) from pg_class as c
      join pg_namespace as n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname in ('app', 'audit')
        and not exists (select from pg_policy as p where p.polrelid = c.oid)$$,
    'every table in app and audit has a policy'
);

select is_empty(
    $$select t.qname from tests.tenant_tables as t
      where not exists (
          select from pg_policy as p
          where p.polrelid = t.relid and p.polname = 'tenant_isolation' and p.polpermissive
            and pg_get_expr(p.polqual, p.polrelid) = '(tenant_id = internal.current_tenant_id())'
      )$$,
    'every tenant table has the tenant_isolation policy on the request tenant'
);

select is_empty(
    $$select p.polname, p.polrelid::regclass from pg_policy as p
      where p.polqual::text like '%SUBLINK%' or p.polwithcheck::text like '%SUBLINK%'$$,
    'no policy contains a subquery (Citus rejects them)'
);

select is_empty(
    $$select p.polname, p.polrelid::regclass from pg_policy as p where p.polroles = '{0}'$$,
    'every policy names its roles (none is for PUBLIC)'
);

select is_empty(
    $$select format('%I.%I', n.nspname, c.relname), r.rolname from pg_class as c
      join pg_namespace as n on n.oid = c.relnamespace
      join pg_roles as r on r.oid = c.relowner
      where c.relkind = 'v' and n.nspname in ('api', 'portal', 'bi', 'app', 'internal', 'audit')
        and (coalesce('security_invoker=true' = any(c.reloptions), false) or r.rolname <> case n.nspname
            when 'api' then 'pgpsa_door_api' when 'bi' then 'pgpsa_door_bi' when 'internal' then 'pgpsa_owner' end)$$,
    'every view reads as its door (api: pgpsa_door_api, bi: pgpsa_door_bi; internal: the owner), so RLS binds it'
);

select is_empty(
    $$select c.oid::regclass, r.rolname from pg_class as c
      join pg_roles as r on r.oid = c.relowner
      join pg_namespace as n on n.oid = c.relnamespace
      where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'tests')
        and (r.rolname in (select t.rolname from tests.request_roles as t)
             or (r.rolname like 'pgpsa\_door\_%' and c.relkind not in ('v')))$$,
    'no request role owns anything, and the doors own only views'
);

select is_empty(
    $$select rolname from pg_roles
      where rolname like 'pgpsa\_%' and (rolsuper or rolbypassrls or rolcreaterole or rolcreatedb)$$,
    'no pgpsa role is a superuser or bypasses RLS'
);

select is(
    (
        select array_agg(r.rolname::text order by r.rolname::text) from pg_auth_members as m
        inner join pg_roles as r on m.roleid = r.oid
        inner join pg_roles as s on m.member = s.oid
        where s.rolname = 'pgpsa_service'
    ),
    array['pgpsa_anon', 'pgpsa_portal', 'pgpsa_queue', 'pgpsa_staff', 'pgpsa_webhook', 'pgpsa_worker'],
    'the service login can switch only to the request roles and the job queue''s'
);

select is_empty(
    $$select con.conrelid::regclass, con.conname from pg_constraint as con
      join pg_namespace as n on n.oid = con.connamespace
      where con.contype = 'f' and n.nspname in ('app', 'audit', 'internal')
        and not exists (
            select from pg_index as i
            where i.indrelid = con.conrelid
              and (i.indkey::int2[])[0:cardinality(con.conkey) - 1] @> con.conkey
              and (i.indkey::int2[])[0:cardinality(con.conkey) - 1] <@ con.conkey
        )$$,
    'every foreign key is indexed (its columns lead an index)'
);

select is_empty(
    $$select p.oid::regprocedure from pg_proc as p
      join pg_namespace as n on n.oid = p.pronamespace
      where n.nspname in ('app', 'api', 'internal', 'audit', 'portal', 'bi') and p.prosecdef
        and not exists (select from unnest(p.proconfig) as c where c like 'search_path=%')$$,
    'every security definer function pins its search_path'
);

select is_empty(
    $$select t.qname, w.what from tests.tenant_tables as t
      cross join (values ('audit'), ('updated_at')) as w (what)
      where t.schema_name = 'app'
        and (w.what = 'audit' or exists (
            select from pg_attribute as a where a.attrelid = t.relid and a.attname = 'updated_at'
        ))
        and not exists (
            select from pg_trigger as tg
            where tg.tgrelid = t.relid and tg.tgname like 'trg\_%\_' || (case w.what when 'audit' then '900_audit_update'
                else '500_updated_at' end)
        )
        and not (w.what = 'audit' and exists (
            select from pg_trigger as tg where tg.tgrelid = t.relid
              and (tg.tgname like 'trg\_%\_100\_derived\_log' or tg.tgname like 'trg\_%\_100\_derived\_totals')
        ))$$,
    'every tenant table in app has its audit trigger (a derived log or derived totals excepted), '
    || 'and its updated_at trigger when it has the column'
);
select is_empty(
    $$select t.qname from tests.tenant_tables as t
      where exists (
          select from pg_trigger as tg where tg.tgrelid = t.relid
            and (tg.tgname like 'trg\_%\_100\_derived\_log' or tg.tgname like 'trg\_%\_100\_derived\_totals')
      )
        and (has_table_privilege('pgpsa_staff', t.relid, 'insert, update, delete')
             or has_table_privilege('pgpsa_portal', t.relid, 'insert, update, delete'))$$,
    'a derived log or derived totals are written only by their triggers: no service role may insert, change or '
    || 'delete their rows'
);

select is_empty(
    $$select p.oid::regprocedure from pg_proc as p
      join pg_namespace as n on n.oid = p.pronamespace
      where n.nspname in ('app', 'api', 'internal', 'audit', 'portal', 'bi')
        and (p.proacl is null or exists (
            select from aclexplode(p.proacl) as a where a.grantee = 0 and a.privilege_type = 'EXECUTE'
        ))$$,
    'no function is executable by PUBLIC: every caller is granted by name'
);

select is_empty(
    $$select format('%I.%I.%I', n.nspname, c.relname, a.attname) from pg_attribute as a
      join pg_class as c on c.oid = a.attrelid join pg_namespace as n on n.oid = c.relnamespace
      join pg_type as t on t.oid = a.atttypid
      where n.nspname in ('app', 'audit') and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
        and (t.typname in ('text', 'citext') or (t.typname = 'varchar' and a.atttypmod < 0))
        and not exists (
            select from pg_constraint as k
            where k.conrelid = c.oid and k.contype = 'c' and k.conkey = array[a.attnum]
              -- a length, a vocabulary, or an anchored pattern of bounded length
              and pg_get_constraintdef(k.oid) ~ '(char_)?length\(|= ANY \(ARRAY\[|\{[0-9]+(,[0-9]+)?\}\$'''
        )$$,
    'every text column has its length limit stated once: a bounded domain, a varchar(n), or a check that bounds it'
);

select * from finish();
rollback;
