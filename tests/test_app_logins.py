"""App logins (another application on the api views and functions) and BI logins, made by the CLI: bound to
their tenant and permission set by the database, whatever they SET, and ended by revoke."""

import re

import psycopg
import pytest
from billing_support import make_client

from service.logins import app_login, bi_login

URL = re.compile(r"postgresql://\S+")


def _set(conn, name: str, value) -> None:
    conn.execute("select set_config(%s, %s, false)", [name, str(value)])


def _create(app, group, *args) -> str:
    result = app.test_cli_runner().invoke(group, ["create", *args])
    assert result.exit_code == 0, result.output
    return URL.search(result.output).group(0)


@pytest.fixture
def two_tenants(client, make_tenant, login):
    mine, theirs = make_tenant("manager"), make_tenant("manager")
    ours = make_client(client, login(mine, "manager"))
    make_client(client, login(theirs, "manager"))
    return mine, theirs, ours


def test_an_app_login_reads_its_tenant_with_its_permissions_whatever_it_sets(app, two_tenants):
    mine, theirs, ours = two_tenants
    url = _create(app, app_login, "--tenant", mine.slug, "--name", "zapier", "--permission", "clients:read")
    try:
        _try_to_step_out(url, theirs, ours)
    finally:
        result = app.test_cli_runner().invoke(app_login, ["revoke", "--tenant", mine.slug, "--name", "zapier"])
    assert result.exit_code == 0, result.output
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url).close()


def _try_to_step_out(url, theirs, ours):
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("select array_agg(id::text) from api.clients").fetchone()[0] == [ours["id"]]
        assert conn.execute("select role from api.me").fetchone()[0] == "app"
        # Pretending to be the other tenant's manager, as the service would say it, changes nothing.
        _set(conn, "pgpsa.tenant_id", theirs.id)
        _set(conn, "pgpsa.user_id", theirs.users["manager"][0])
        _set(conn, "pgpsa.permissions", f"{theirs.users['manager'][0]}|*")
        conn.execute("set role pgpsa_staff")
        assert conn.execute("select array_agg(id::text) from api.clients").fetchone()[0] == [ours["id"]]
        # ... nor does naming it in the read, as the service names its tenant.
        assert conn.execute("select count(*) from api.clients where tenant_id = %s", [theirs.id]).fetchone()[0] == 0
        with pytest.raises(psycopg.Error) as refused:
            conn.execute("""select api.create_client('{"account_code": "Z1", "name": "Z", "channel": "web"}')""")
        assert refused.value.sqlstate == "PT403" and "clients:write" in str(refused.value)
        for statement in ("select count(*) from app.clients", "set role pgpsa_owner", "set role pgpsa_door_api"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_a_bi_login_reads_only_the_bi_views_of_its_tenant(app, two_tenants):
    mine, theirs, ours = two_tenants
    url = _create(app, bi_login, "--tenant", mine.slug, "--name", "metabase")
    with psycopg.connect(url, autocommit=True) as conn:
        _set(conn, "pgpsa.tenant_id", theirs.id)
        assert conn.execute("select array_agg(id::text) from bi.clients").fetchone()[0] == [ours["id"]]
        for statement in ("select count(*) from api.clients", "select count(*) from app.clients"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    revoked = app.test_cli_runner().invoke(bi_login, ["revoke", "--tenant", mine.slug, "--name", "metabase"])
    assert revoked.exit_code == 0, revoked.output


def test_a_login_names_a_tenant_that_exists_and_a_valid_permission(app, two_tenants):
    mine, _, _ = two_tenants
    runner = app.test_cli_runner()
    missing = runner.invoke(app_login, ["create", "--tenant", "no-such", "--name", "x", "--permission", "clients:read"])
    assert missing.exit_code != 0 and "No tenant" in missing.output
    bad = runner.invoke(app_login, ["create", "--tenant", mine.slug, "--name", "x", "--permission", "clients:fly"])
    assert bad.exit_code != 0 and "Traceback" not in bad.output
    upper = runner.invoke(
        app_login, ["create", "--tenant", mine.slug, "--name", "Bad Name", "--permission", "clients:read"]
    )
    assert upper.exit_code != 0 and "lowercase" in upper.output
