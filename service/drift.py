"""Drift: what the repeatable files made (service/migrate.py) and was changed in the database since, not in a file.

`db status` lists it and `db up` makes it again (README "Deploys"): functions and views are fingerprinted at each
re-apply, policies and triggers keep the catalog's words (internal.declared_ddl), and the rules every re-apply
restores (who may reach app, audit and internal, who owns and may run the app's code, forced row security) are
read straight from the catalog. What the migrations made (columns, constraints, indexes) is recorded by the `db up`
that applied them (internal.schema_objects): a change to it is listed too, but only a migration, or a DBA putting it
back, may change it.
"""

import psycopg
from psycopg import sql

# The roles that own the app's objects: the owner (migrations, repeatable files) and the doors (db/bootstrap.sql).
OWNER = "pgpsa_owner"
DOORS = ("pgpsa_door_api", "pgpsa_door_bi", "pgpsa_door_portal")

# A function's or view's fingerprint as the catalog has it now (null when it is gone): definition, owner, grants.
_CODE_FINGERPRINT = """case o.kind
    when 'view' then (
        select md5(pg_get_viewdef(c.oid) || c.relowner::regrole::text || coalesce(c.relacl::text, ''))
        from pg_class as c where c.oid = to_regclass(o.identity))
    else (
        select md5(pg_get_functiondef(p.oid) || p.proowner::regrole::text || coalesce(p.proacl::text, ''))
        from pg_proc as p where p.oid = to_regprocedure(o.identity))
    end"""

# The app's schemas, and the roles that may own what they hold.
_SCHEMAS = "array['app', 'audit', 'internal', 'api', 'portal', 'bi']::regnamespace[]"
_KEEPERS = "array[" + ", ".join(f"'{role}'" for role in (OWNER, *DOORS)) + "]"

# A routine in one of the app's schemas that anyone may run: PostgreSQL lets PUBLIC execute a new function unless its
# owner's default privileges say otherwise, and the owner's do (0001_schemas), so this is one made by hand as
# another role, a superuser perhaps, whose definer function would then run as that role for every caller.
_PUBLIC_ROUTINES = f"""
    select p.oid::regprocedure::text from pg_proc as p
    where p.pronamespace = any({_SCHEMAS})
      and (p.proacl is null or exists (
          select from aclexplode(p.proacl) as a where a.grantee = 0 and a.privilege_type = 'EXECUTE'))"""


# A routine or relation of the app's schemas owned by anyone but the owner and the doors: one made by hand as another
# role, a superuser perhaps, or given away (kind as ALTER names it, name); the files could not replace, grant or
# revoke on it.
_FOREIGN = f"""
    select 'routine', p.oid::regprocedure::text from pg_proc as p
    where p.pronamespace = any({_SCHEMAS})
      and p.proowner::regrole::text <> all({_KEEPERS})
    union all
    select case c.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'S' then 'sequence'
           else 'table' end, c.oid::regclass::text
    from pg_class as c
    where c.relnamespace = any({_SCHEMAS})
      and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
      and not exists (  -- a serial's sequence goes with its table
          select from pg_depend as d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'a')
      and c.relowner::regrole::text <> all({_KEEPERS})"""

# The doors' schemas hold only code the files make, each function and view recorded by the re-apply that made it
# (internal.repeatable_code; the migrations make only types there). One made there by hand would be adopted by the
# doors file at the next re-apply: an api function made to run as the api door and granted to staff, a view granted
# to the door's readers. So it is drift, and the re-apply drops it (kind, identity).
STRAYS = """
    select 'function', i.identity
    from pg_proc as p cross join lateral pg_identify_object('pg_proc'::regclass, p.oid, 0) as i
    where p.pronamespace = any(array['api', 'portal', 'bi']::regnamespace[])
      and not exists (select from internal.repeatable_code as o where o.kind = 'function' and o.identity = i.identity)
    union all
    select 'view', i.identity
    from pg_class as c cross join lateral pg_identify_object('pg_class'::regclass, c.oid, 0) as i
    where c.relnamespace = any(array['api', 'portal', 'bi']::regnamespace[]) and c.relkind = 'v'
      and not exists (select from internal.repeatable_code as o where o.kind = 'view' and o.identity = i.identity)"""

# What the repeatable files made that the database no longer has as they made it, changed in the database and not in a
# file (by hand, by a script): a function or view (fingerprint), a policy or trigger (internal.declared_ddl keeps the
# catalog's words for each), a policy on an app or audit table that no file declares (a re-apply drops it), a routine
# anyone may run or an object another role owns in the app's schemas (the doors file revokes, reclaim gives it to the
# owner), a function or view in a door's schema that no file made (STRAYS, a re-apply drops it); and (_CATALOG_RULES)
# a privilege on app, audit or internal held by anyone but the owner and the doors, or an app or audit table whose
# row level security is off or not forced (0100_tenant_tables puts both right).
_DRIFT = f"""
    select o.kind || ' ' || o.identity || ' (' || o.path || ')' from internal.repeatable_code as o
    where o.fingerprint is not null and o.fingerprint is distinct from ({_CODE_FINGERPRINT})
    union all
    select d.kind || ' ' || d.name || ' on ' || d.table_name from internal.declared_ddl as d
    where to_regprocedure('internal.ddl_definition(text, regclass, text)') is not null
      and internal.ddl_definition(d.kind, to_regclass(d.table_name), d.name) is distinct from d.definition
    union all
    select 'policy ' || p.polname || ' on ' || p.polrelid::regclass::text || ' (no file declares it)'
    from pg_policy as p join pg_class as c on c.oid = p.polrelid
    where c.relnamespace in ('app'::regnamespace, 'audit'::regnamespace) and not exists (
        select from internal.declared_ddl as d
        where d.kind = 'policy' and d.table_name = p.polrelid::regclass::text and d.name = p.polname)
    union all
    select 'routine ' || r.routine || ' may be run by anyone (public)' from ({_PUBLIC_ROUTINES}) as r (routine)
    union all
    select f.kind || ' ' || f.name || ' owned by another role than the owner and the doors'
    from ({_FOREIGN}) as f (kind, name)
    union all
    select s.kind || ' ' || s.identity || ' (no file makes it)' from ({STRAYS}) as s (kind, identity)"""

# The two rules the catalog views of db/views/0_internal_catalog_rules.sql read, as the policy files enforce them
# (0100_tenant_tables); left out while the views are gone (their own fingerprints say so, and db up makes them).
_CATALOG_RULES = f"""
    select distinct format('%s on %s granted to %s (only the owner and the doors reach app, audit and internal)',
        lower(h.privilege), case h.kind when 'schema' then 'schema ' || h.name else h.name end,
        case h.grantee when 0 then 'public' else h.grantee::regrole::text end)
    from internal.held_privileges as h
    where h.grantee = 0 or h.grantee::regrole::text <> all({_KEEPERS})
    union all
    select 'row level security not enabled and forced on ' || u.rel::text from internal.unforced_tables as u"""


def database_drift(conn: psycopg.Connection) -> list[str]:
    """What was changed in the database since the last re-apply, not in a file (_DRIFT); nothing before the files
    were first applied with 0028 (the declarations' own function is one of them: gone, it is a function's drift)."""
    fingerprinted = conn.execute(
        "select exists (select from pg_attribute where attrelid = to_regclass('internal.repeatable_code')"
        " and attname = 'fingerprint' and not attisdropped)"
    ).fetchone()[0]
    if not fingerprinted or not conn.execute("select exists (select from internal.repeatable_files)").fetchone()[0]:
        return []
    rules = conn.execute(
        "select to_regclass('internal.held_privileges') is not null"
        " and to_regclass('internal.unforced_tables') is not null"
    ).fetchone()[0]
    query = f"{_DRIFT} union all {_CATALOG_RULES} order by 1" if rules else f"{_DRIFT} order by 1"
    return [row[0] for row in conn.execute(query).fetchall()]


def reclaim(conn: psycopg.Connection) -> None:
    """What the app's schemas hold and someone gave to, or made as, another role goes to the owner (_FOREIGN): the
    files may replace, grant and revoke only on what the owner owns (or the doors, which give theirs back first)."""
    for kind, name in conn.execute(_FOREIGN).fetchall():
        conn.execute(sql.SQL("alter {} {} owner to {}").format(sql.SQL(kind), sql.SQL(name), sql.Identifier(OWNER)))


def record_fingerprints(conn: psycopg.Connection) -> None:
    """At the end of a re-apply: each function's and view's fingerprint as the files left it."""
    conn.execute(f"update internal.repeatable_code as o set fingerprint = {_CODE_FINGERPRINT}")


# What the migrations made, as the catalog describes it (kind, name, definition), names qualified (search_path is
# pg_catalog while it runs): the columns, constraints and indexes of app, audit and internal, and the domains' checks.
_SCHEMA = """
    select 'column', format('%s.%I', a.attrelid::regclass, a.attname),
           format_type(a.atttypid, a.atttypmod) || case when a.attnotnull then ' not null' else '' end
           || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
    from pg_attribute as a join pg_class as c on c.oid = a.attrelid
    left join pg_attrdef as d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where c.relnamespace = any(array['app', 'audit', 'internal']::regnamespace[]) and c.relkind in ('r', 'p')
      and a.attnum > 0 and not a.attisdropped
    union all
    select 'constraint', format('%I on %s', k.conname, coalesce(k.conrelid::regclass::text, k.contypid::regtype::text)),
           pg_get_constraintdef(k.oid)
    from pg_constraint as k where k.connamespace = any(array['app', 'audit', 'internal', 'api']::regnamespace[])
    union all
    select 'index', i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    from pg_index as i join pg_class as c on c.oid = i.indrelid
    where c.relnamespace = any(array['app', 'audit', 'internal']::regnamespace[])"""


def _recorded(conn: psycopg.Connection) -> bool:
    return conn.execute("select to_regclass('internal.schema_objects') is not null").fetchone()[0]


def record_schema(conn: psycopg.Connection, *, applied: bool) -> None:
    """After migrations were applied (or when nothing is recorded yet): the schema as they left it."""
    if not _recorded(conn):
        return
    with conn.transaction():
        if not applied and conn.execute("select exists (select from internal.schema_objects)").fetchone()[0]:
            return
        conn.execute("set local search_path = pg_catalog")
        conn.execute("delete from internal.schema_objects")
        conn.execute(f"insert into internal.schema_objects (kind, name, definition) {_SCHEMA}")


def schema_drift(conn: psycopg.Connection) -> list[str]:
    """What differs from the schema the last migrations left: gone, changed, or added, in words."""
    if not _recorded(conn):
        return []
    with conn.transaction():
        conn.execute("set local search_path = pg_catalog")
        rows = conn.execute(
            f"with found (kind, name, definition) as ({_SCHEMA})"
            " select coalesce(f.kind, k.kind) || ' ' || coalesce(f.name, k.name) || case"
            "   when f.name is null then ' is gone (was: ' || k.definition || ')'"
            "   when k.name is null then ' was added (' || f.definition || ')'"
            "   else ' changed (was: ' || k.definition || '; now: ' || f.definition || ')' end"
            " from found as f full join internal.schema_objects as k on k.kind = f.kind and k.name = f.name"
            " where f.definition is distinct from k.definition"
            "   and exists (select from internal.schema_objects)"
            " order by 1"
        ).fetchall()
    return [row[0] for row in rows]
