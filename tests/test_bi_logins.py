"""A BI login as a BI tool uses it: made by `pgpsa bi-login create` (a connection URL with a generated password,
shown once), used through SQLAlchemy (what Superset and most Python BI tools connect with): the bi schema reflected
(views, columns, comments), every view read, only the login's tenant's rows, nothing outside bi. The login is revoked
at the end whatever happens, and then cannot connect."""

import re
import uuid
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import sql

from service.logins import bi_login

HELPERS = Path(__file__).resolve().parent.parent / "db" / "tests" / "helpers"
URL = re.compile(r"postgresql://(?P<login>[^:]+):(?P<password>[^@]+)@\S+")
# Columns measured from now(), which moves between two reads: left out of the comparison.
NOW_DEPENDENT = {("wip", "hours_remaining")}


def _ensure_helpers(admin) -> None:
    """The hand-counted fixture tenant (db/tests/helpers/fixtures_bi.sql) is a pgTAP helper; the SQL tests load the
    helpers at the start of a run, but this file may run on its own."""
    if admin.execute("select to_regprocedure('tests.bi_tenant(text)')").fetchone()[0] is None:
        with admin.transaction():
            admin.execute("create extension if not exists pgtap with schema extensions")
            for path in sorted(HELPERS.glob("*.sql")):
                admin.execute(path.read_text())


@pytest.fixture(scope="module")
def bi_tenants(admin):
    """Two tenants with the same hand-counted data (each its own ids): theirs must never show through mine."""
    _ensure_helpers(admin)
    tenants = {}
    for side in ("mine", "theirs"):
        slug = f"bi-{side}-{uuid.uuid4().hex[:8]}"
        with admin.transaction():
            tenants[side] = (slug, admin.execute("select tests.bi_tenant(%s)", [slug]).fetchone()[0])
    return tenants


def _bi_views(admin) -> list[str]:
    return [
        r[0]
        for r in admin.execute(
            "select relname from pg_class where relnamespace = 'bi'::regnamespace and relkind = 'v' order by relname"
        )
    ]


def _select(view: str, columns: list[str]) -> sql.Composed:
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    return sql.SQL("select {} from {}").format(names, sql.Identifier("bi", view))


def _rows_in(admin, tenant_id, view: str, columns: list[str]) -> list[tuple]:
    """A view's rows for a tenant, read by a trusted session naming the tenant, as the service would."""
    with admin.transaction():
        admin.execute("select set_config('pgpsa.tenant_id', %s, true)", [str(tenant_id)])
        return sorted(admin.execute(_select(view, columns)).fetchall(), key=repr)


def test_a_bi_tool_reflects_and_reads_the_bi_views_of_its_tenant_only(app, admin, bi_tenants):
    (slug, mine), (_, theirs) = bi_tenants["mine"], bi_tenants["theirs"]
    runner = app.test_cli_runner()
    created = runner.invoke(bi_login, ["create", "--tenant", slug, "--name", "superset"])
    assert created.exit_code == 0, created.output
    assert "shown this once" in created.output
    found = URL.search(created.output)
    assert found and found["login"] == f"bi_{mine.hex}_superset" and len(found["password"]) >= 32
    url = found.group(0)
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), poolclass=sa.pool.NullPool)
    try:
        _as_a_bi_tool(engine, admin, mine, theirs)
    finally:
        engine.dispose()
        revoked = runner.invoke(bi_login, ["revoke", "--tenant", slug, "--name", "superset"])
    assert revoked.exit_code == 0, revoked.output
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=5).close()


def _as_a_bi_tool(engine, admin, mine, theirs_id):
    views = _bi_views(admin)
    inspector = sa.inspect(engine)
    assert sorted(inspector.get_view_names(schema="bi")) == views
    assert inspector.get_table_names(schema="bi") == []
    columns = {}
    for view in views:
        assert inspector.get_table_comment(view, schema="bi")["text"], f"bi.{view} has no description"
        reflected = inspector.get_columns(view, schema="bi")
        assert reflected and all(c["comment"] for c in reflected), f"a column of bi.{view} has no description"
        columns[view] = [c["name"] for c in reflected if (view, c["name"]) not in NOW_DEPENDENT]

    metadata = sa.MetaData()
    with engine.connect() as conn:
        for view in views:
            table = sa.Table(view, metadata, schema="bi", autoload_with=conn)  # a view reflected as a BI tool does
            query = sa.select(*(table.c[name] for name in columns[view]))
            rows = sorted((tuple(r) for r in conn.execute(query)), key=repr)
            assert rows == _rows_in(admin, mine, view, columns[view]), f"bi.{view} is not its tenant's rows"
            assert rows, f"bi.{view} is empty: the fixture should give every view rows"
            ids = {v for r in rows for v in r if isinstance(v, uuid.UUID)}
            theirs = _rows_in(admin, theirs_id, view, columns[view])
            assert not ids & {v for r in theirs for v in r if isinstance(v, uuid.UUID)}, f"bi.{view} shows their ids"
        # Naming the other tenant, as the service would, changes nothing: the login's name binds it.
        conn.execute(sa.text("select set_config('pgpsa.tenant_id', :t, false)"), {"t": str(theirs_id)})
        again = sorted(conn.execute(sa.text("select * from bi.ar_aging")).all(), key=repr)
        assert [tuple(r) for r in again] == _rows_in(admin, mine, "ar_aging", columns["ar_aging"])

    for statement in (
        "select count(*) from app.clients",
        "select count(*) from api.clients",
        "select count(*) from internal.settings",
        "select count(*) from audit.audit_log",
        "set role pgpsa_staff",
    ):
        with engine.connect() as conn, pytest.raises(sa.exc.ProgrammingError) as refused:
            conn.execute(sa.text(statement))
        assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege), statement
