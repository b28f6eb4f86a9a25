"""`pgpsa db` as a DBA meets it in production (issue O): a deploy with nothing changed does nothing and waits for
no lock; one changed file locks no table whose rules did not change; what was changed in the database and not in a
file is reported and made again, and a migration's rule changed by hand is reported until it is back; code no file
defines any more is dropped; an applied migration whose file changed stops `db up` and `db status` says so (a
database migrated before checksums existed has them recorded, not refused); and every migration's rollback runs: up
to the end, down past 0001, up again, to the same schema. Each test on a scratch copy of one database migrated
once."""

import time

import psycopg
import pytest
from deploy_support import copy_db_dir, pgpsa_db, scratch_database
from yoyo import get_backend

from service import migrate

LOCK_TIMEOUT = "3s"  # a deploy that waits for a lock fails in words (55P03) instead of hanging


@pytest.fixture
def db(database_url, migrated_template):
    with scratch_database(database_url, "pgpsa_deploy", template=migrated_template) as url:
        yield url


def _waiting(url: str) -> str:
    """The URL with a lock timeout, so a deploy that waits for a lock fails instead of hanging."""
    return url + f"?options=-c%20lock_timeout%3D{LOCK_TIMEOUT}"


def _hold_every_table(url: str, mode: str, but: tuple[str, ...] = ()) -> psycopg.Connection:
    """An open transaction holding `mode` on every app, audit and internal table (a writer holds ROW EXCLUSIVE),
    as a long request or report would."""
    holder = psycopg.connect(url)
    tables = holder.execute(
        "select c.oid::regclass::text from pg_class as c"
        " where c.relnamespace in ('app'::regnamespace, 'audit'::regnamespace, 'internal'::regnamespace)"
        "   and c.relkind in ('r', 'p')"
    ).fetchall()
    for (table,) in tables:
        if table not in but:
            holder.execute(f"lock table {table} in {mode} mode")
    return holder


def _catalog_versions(url: str) -> tuple:
    """The newest catalog row of each kind `db up` could write: policies, triggers, functions, relations, grants."""
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select (select max(xmin::text::bigint) from pg_policy), (select max(xmin::text::bigint) from pg_trigger),"
            " (select max(xmin::text::bigint) from pg_proc), (select max(xmin::text::bigint) from pg_class),"
            " (select max(xmin::text::bigint) from internal.repeatable_files)"
        ).fetchone()


def test_db_up_with_nothing_changed_does_nothing_and_waits_for_no_lock(db):
    before = _catalog_versions(db)
    # A report reading a table and a view, and every table locked as a writer locks it: nothing to wait for.
    holder = _hold_every_table(db, "row exclusive")
    holder.execute("select count(*) from app.clients")
    holder.execute("select count(*) from api.clients")
    try:
        started = time.monotonic()
        result = pgpsa_db(_waiting(db), "up")
        took = time.monotonic() - started
    finally:
        holder.close()
    assert "migrations: none pending" in result.output
    assert "files unchanged, nothing re-applied" in result.output
    assert took < 3, f"db up with nothing changed took {took:.1f} s"
    assert _catalog_versions(db) == before  # not a row written


def test_one_changed_file_locks_no_table_whose_rules_did_not_change(db, tmp_path):
    files = copy_db_dir(tmp_path)
    clients = files / "functions" / "0600_clients.sql"  # defines triggers on app.clients and app.contacts
    clients.write_text(clients.read_text() + "\n-- a comment: the file changed, its triggers did not\n")
    holder = _hold_every_table(db, "row exclusive")
    try:
        started = time.monotonic()
        result = pgpsa_db(_waiting(db), "up", db_dir=files)
        took = time.monotonic() - started
    finally:
        holder.close()
    assert "(1 changed); 0 of" in result.output and "policies and triggers remade" in result.output
    assert took < 10

    # A trigger that did change is remade, and only its table is locked for it.
    clients.write_text(
        clients.read_text().replace(
            "create trigger trg_clients_100_archived_read_only before update on app.clients",
            "create trigger trg_clients_100_archived_read_only before update or delete on app.clients",
        )
    )
    holder = _hold_every_table(db, "row exclusive", but=("app.clients",))
    try:
        result = pgpsa_db(_waiting(db), "up", db_dir=files)
    finally:
        holder.close()
    assert "1 of" in result.output, result.output
    with psycopg.connect(db) as conn:
        definition = conn.execute(
            "select pg_get_triggerdef(oid) from pg_trigger where tgname = 'trg_clients_100_archived_read_only'"
        ).fetchone()[0]
    assert "BEFORE DELETE OR UPDATE ON app.clients" in definition
    assert "nothing re-applied" in pgpsa_db(_waiting(db), "up", db_dir=files).output


# Changes made in the database, not in a file: each could let a request past a rule (any tenant may go negative,
# every client visible to every tenant, contacts read past their policies by the table's owner, products to anyone,
# a request role or anyone at all reaching a table without a door, a superuser's definer function anyone may run, a
# superuser's view in bi, which reads past every policy, for the doors file to grant to BI logins).
BY_HAND = {
    "function internal.allows_negative_stock(pg_catalog.uuid)":
        "create or replace function internal.allows_negative_stock(p_tenant_id uuid) returns boolean"
        " language sql stable security definer set search_path = '' return true",
    "policy tenant_isolation on app.clients": "alter policy tenant_isolation on app.clients using (true)",
    "row level security not enabled and forced on app.contacts": "alter table app.contacts no force row level security",
    "policy by_hand on app.products (no file declares it)": "create policy by_hand on app.products using (true)",
    "usage on schema app granted to pgpsa_staff": "grant usage on schema app to pgpsa_staff",
    "select on app.clients granted to public": "grant select on app.clients to public",
    "routine api.by_hand() may be run by anyone (public)":
        "create function api.by_hand() returns bigint language sql security definer"
        " return (select count(*) from app.clients)",
    "view bi.by_hand (no file makes it)": "create view bi.by_hand as select count(*) from app.clients",
}
# ... and what `db status` says of them (the superuser's function three times: anyone may run it, it is not the
# owner's, no file makes it; its view twice).
SAID = [
    *BY_HAND,
    "routine api.by_hand() owned by another role than the owner and the doors",
    "function api.by_hand() (no file makes it)",
    "view bi.by_hand owned by another role than the owner and the doors",
]


def test_what_was_changed_in_the_database_not_in_a_file_is_reported_and_made_again(db):
    with psycopg.connect(db, autocommit=True) as conn:
        for statement in BY_HAND.values():
            conn.execute(statement)
    status = pgpsa_db(db, "status").output
    assert f"{len(SAID)} changed in the database since the last db up" in status, status
    for what in SAID:
        assert what in status
    # db up makes them again as the files say, and waits for no table but the three changed.
    holder = _hold_every_table(db, "row exclusive", but=("app.clients", "app.contacts", "app.products"))
    try:
        result = pgpsa_db(_waiting(db), "up")
    finally:
        holder.close()
    assert "1 of" in result.output and "dropped policy by_hand on app.products" in result.output, result.output
    for stray in ("function api.by_hand()", "view bi.by_hand"):
        assert f"dropped {stray} (no file made it)" in result.output, result.output
    with psycopg.connect(db) as conn:
        restored = conn.execute(
            "select pg_get_functiondef('internal.allows_negative_stock(uuid)'::regprocedure),"
            " (select pg_get_expr(polqual, polrelid) from pg_policy"
            "  where polrelid = 'app.clients'::regclass and polname = 'tenant_isolation'),"
            " (select relforcerowsecurity from pg_class where oid = 'app.contacts'::regclass),"
            " (select count(*) from pg_policy where polname = 'by_hand'),"
            " has_schema_privilege('pgpsa_staff', 'app', 'usage'),"
            " has_table_privilege('pgpsa_bi', 'app.clients', 'select'),"
            " to_regprocedure('api.by_hand()') is null and to_regclass('bi.by_hand') is null"
        ).fetchone()
    assert "app.sales_settings" in restored[0], restored[0]  # the file's body again, not `return true`
    # The doors' schemas hold only what the files make: the superuser's function and view are gone, not adopted as
    # an api function run as the api door for staff and a bi view for BI logins.
    assert restored[1:] == ("(tenant_id = internal.current_tenant_id())", True, 0, False, False, True)
    status = pgpsa_db(db, "status").output
    assert "changed in the database" not in status, status
    assert "nothing re-applied" in pgpsa_db(_waiting(db), "up").output


def test_a_rule_of_the_schema_changed_by_hand_is_reported_until_it_is_back(db):
    """A migration's rules are not the files' to remake: db status and db up say what changed, until it is restored
    (or a migration says so)."""
    undo = [
        ("alter table app.payments drop constraint check_payments_amount",
         "alter table app.payments add constraint check_payments_amount check (amount > 0)"),
        ("drop index app.index_clients_on_tenant_id_name",
         "create index index_clients_on_tenant_id_name on app.clients (tenant_id, name)"),
        ("alter table app.clients alter column name drop not null",
         "alter table app.clients alter column name set not null"),
        ("alter table app.clients add column note_by_hand text", "alter table app.clients drop column note_by_hand"),
    ]
    with psycopg.connect(db, autocommit=True) as conn:
        for change, _ in undo:
            conn.execute(change)
    said = [
        "constraint check_payments_amount on app.payments is gone (was: CHECK (((amount)::numeric > (0)::numeric)))",
        "index app.index_clients_on_tenant_id_name is gone",
        "column app.clients.name changed (was: character varying(255) not null; now: character varying(255))",
        "column app.clients.note_by_hand was added (text)",
    ]
    status = pgpsa_db(db, "status").output
    assert "schema: 4 changed since the last migration" in status, status
    up = pgpsa_db(db, "up").output
    for what in said:
        assert what in status and f"not made again (restore it, or migrate): {what}" in up, up
    with psycopg.connect(db, autocommit=True) as conn:
        for _, back in undo:
            conn.execute(back)
    assert "schema:" not in pgpsa_db(db, "status").output


def test_code_policies_and_triggers_no_file_declares_any_more_are_dropped(db, tmp_path):
    files = copy_db_dir(tmp_path)
    probe = files / "functions" / "0999_probe.sql"
    kept = (
        "create or replace function internal.probe_kept() returns int language sql immutable"
        " begin atomic select 1; end;\n"
    )
    probe.write_text(
        kept
        + "create or replace function internal.probe_gone() returns int language sql immutable"
        " begin atomic select 2; end;\n"
        "create or replace function api.probe_gone_too(p int) returns int language sql stable"
        " begin atomic select p + internal.probe_gone(); end;\n"
        "create or replace view internal.probe_view as select internal.probe_gone() as n;\n"
        "create or replace function internal.tg__probe() returns trigger language plpgsql"
        " as $$ begin return new; end $$;\n"
        "drop trigger if exists trg_leads_999_probe on app.leads;\n"
        "create trigger trg_leads_999_probe before update on app.leads"
        " for each row execute function internal.tg__probe();\n"
    )
    policies = files / "policies" / "0800_sales.sql"
    policies.write_text(
        policies.read_text() + "\ncreate policy probe_policy on app.leads as restrictive for delete to pgpsa_door_api"
        " using (true);\n"
    )
    pgpsa_db(db, "up", db_dir=files)
    with psycopg.connect(db) as conn:
        assert conn.execute("select to_regprocedure('api.probe_gone_too(int)') is not null").fetchone()[0]

    probe.write_text(kept)
    policies.write_text(policies.read_text().replace("create policy probe_policy", "-- gone: probe_policy"))
    result = pgpsa_db(db, "up", db_dir=files)
    for gone in (
        "function api.probe_gone_too(integer)",
        "function internal.probe_gone()",
        "view internal.probe_view",
        "trigger trg_leads_999_probe on app.leads",
        "policy probe_policy on app.leads",
    ):
        assert f"dropped {gone}" in result.output, result.output
    with psycopg.connect(db) as conn:
        left = conn.execute(
            "select to_regprocedure('internal.probe_kept()') is not null, to_regprocedure('internal.probe_gone()'),"
            " to_regclass('internal.probe_view'),"
            " (select count(*) from pg_trigger where tgname = 'trg_leads_999_probe'),"
            " (select count(*) from pg_policy where polname = 'probe_policy')"
        ).fetchone()
    assert left == (True, None, None, 0, 0)
    # What a migration made is never the files' to drop: the split preflight (0008) is still there.
    with psycopg.connect(db) as conn:
        assert conn.execute("select to_regprocedure('internal.contract_split_preflight()') is not null").fetchone()[0]


def test_an_applied_migration_whose_file_changed_stops_db_up_and_db_status_says_so(db, tmp_path):
    files = copy_db_dir(tmp_path)
    clients = files / "migrations" / "0003_clients.sql"
    original = clients.read_text()
    clients.write_text(original + "\n-- edited after it was applied\n")
    refused = pgpsa_db(db, "up", db_dir=files, expect=1)
    assert "refused" in refused.output and "0003_clients" in refused.output
    status = pgpsa_db(db, "status", db_dir=files, expect=1)
    assert "CHANGED  0003_clients  (its file changed since it was applied)" in status.output
    assert "1 changed since applied" in status.output
    clients.write_text(original)
    assert "0 changed since applied" in pgpsa_db(db, "status", db_dir=files).output
    pgpsa_db(db, "up", db_dir=files)


def test_a_database_migrated_before_checksums_existed_gets_them_recorded_not_refused(database_url, tmp_path):
    """The last release (d4e2f73) shipped migrations up to 0011 and no checksums; some of those files have been
    reformatted since. Its databases are upgraded, their checksums recorded from then on, and a later change
    refused."""
    files = copy_db_dir(tmp_path)
    with scratch_database(database_url, "pgpsa_deploy_old") as url:
        migrate.bootstrap(url)
        backend = get_backend(migrate.owner_yoyo_url(url))
        with backend.lock():
            for m in backend.to_apply(migrate._migrations()):
                if m.id <= "0011":
                    backend.apply_one(m)
        delivery = files / "migrations" / "0005_delivery.sql"
        delivery.write_text(delivery.read_text().replace("\n\n", "\n\n\n", 1))  # reformatted since the release
        assert "checksum recorded at the next db up" in pgpsa_db(url, "status", db_dir=files).output
        upgraded = pgpsa_db(url, "up", db_dir=files)
        assert "applied 0020_deploy_bookkeeping" in upgraded.output
        status = pgpsa_db(url, "status", db_dir=files).output
        assert "CHANGED" not in status and "checksum recorded" not in status
        delivery.write_text(delivery.read_text() + "\n-- changed after the upgrade\n")
        assert "0005_delivery" in pgpsa_db(url, "up", db_dir=files, expect=1).output


def _schema(url: str) -> set[str]:
    """Every relation, column, constraint, index, function, type, policy and trigger of the product's schemas."""
    with psycopg.connect(url) as conn:
        conn.execute("set search_path = pg_catalog")  # names qualified the same way whatever the database sets
        rows = conn.execute(
            """
            with s as (
                select oid from pg_namespace where nspname in ('app', 'api', 'internal', 'audit', 'bi', 'portal')
            )
            select format('rel %s %s', c.oid::regclass, c.relkind) from pg_class as c
            where c.relnamespace in (select oid from s)
            union all
            select format('col %s.%s %s %s %s', a.attrelid::regclass, a.attname,
                format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid))
            from pg_attribute as a join pg_class as c on c.oid = a.attrelid
            left join pg_attrdef as d on d.adrelid = a.attrelid and d.adnum = a.attnum
            where c.relnamespace in (select oid from s) and a.attnum > 0 and not a.attisdropped
            union all
            select format('con %s %s %s', coalesce(k.conrelid::regclass::text, k.contypid::regtype::text), k.conname,
                pg_get_constraintdef(k.oid))
            from pg_constraint as k where k.connamespace in (select oid from s)
            union all
            select format('fn %s %s', p.oid::regprocedure,
                md5(p.prosrc || coalesce(pg_get_function_sqlbody(p.oid), '')))
            from pg_proc as p where p.pronamespace in (select oid from s)
            union all
            select format('type %s %s', t.oid::regtype, t.typtype) from pg_type as t
            where t.typnamespace in (select oid from s) and t.typtype in ('d', 'e', 'c') and t.typrelid = 0
            union all
            select format('policy %s %s %s', p.polrelid::regclass, p.polname, pg_get_expr(p.polqual, p.polrelid))
            from pg_policy as p
            union all
            select format('trigger %s', pg_get_triggerdef(t.oid)) from pg_trigger as t
            join pg_class as c on c.oid = t.tgrelid where c.relnamespace in (select oid from s) and not t.tgisinternal
            union all
            select format('index %s', pg_get_indexdef(i.indexrelid)) from pg_index as i
            join pg_class as c on c.oid = i.indrelid where c.relnamespace in (select oid from s)
            """
        ).fetchall()
    return {row[0] for row in rows}


def test_every_migration_rolls_back_and_the_history_applies_again_to_the_same_schema(db):
    before = _schema(db)
    down = pgpsa_db(db, "down", "--all", "--yes")
    rolled_back = [line.split()[-1] for line in down.output.splitlines() if line.startswith("migration: rolled back")]
    ids = [m.id for m in migrate._migrations()]
    assert rolled_back == list(reversed(ids))  # every one, 0001 included
    with psycopg.connect(db) as conn:
        assert conn.execute("select to_regnamespace('app')").fetchone()[0] is None
    up = pgpsa_db(db, "up")
    assert all(f"applied {i}" in up.output for i in ids)
    after = _schema(db)
    assert (sorted(before - after), sorted(after - before)) == ([], [])
    assert "migrations: none pending" in pgpsa_db(db, "up").output  # and again: nothing left to apply
