"""A pooled connection serves every tenant, and a prepared statement keeps the plan it was first given. A page's plan
depends on the tenant's size, so each connection prepares a page once per tenant (the tenant is named in it): a large
tenant never reads its list with the plan made for a small one. And because the page names its tenant, the policies'
tenant test is a one-time filter: no row of the tenant's scan reads the session's settings."""

import re

import pytest

from conftest import PASSWORD
from service import create_app
from service.db import close_pool, get_pool

CLIENTS = 3000
READS = 8  # psycopg prepares a statement the fifth time it is sent


@pytest.fixture
def one_connection(test_config):
    """An app whose pool holds one connection, so every request below shares its prepared statements."""
    app = create_app({**test_config, "POOL_MIN_SIZE": 1, "POOL_MAX_SIZE": 1})
    yield app
    close_pool(app)


def _token(client, tenant) -> dict:
    r = client.post("/api/v1/auth/token", json={"tenant": tenant.slug, "email": tenant.email("manager"),
                                                 "password": PASSWORD})
    return {"Authorization": f"Bearer {r.get_json()['accessToken']}"}


def _prepared(app, like: str) -> list[str]:
    with app.app_context(), get_pool().connection() as conn:
        rows = conn.execute("select statement from pg_prepared_statements where statement like %s", [like]).fetchall()
    return [r["statement"] for r in rows]


def _plan(app, tenant, statement: str, *args) -> str:
    """The prepared statement's plan, run as the tenant's manager on the pool's connection."""
    with app.app_context(), get_pool().connection() as conn:
        name = conn.execute("select name from pg_prepared_statements where statement = %s", [statement]
                            ).fetchone()["name"]
        with conn.transaction():
            conn.execute("select set_config('pgpsa.tenant_id', %s, true), set_config('pgpsa.user_id', %s, true)",
                         [str(tenant.id), str(tenant.users["manager"][0])])
            conn.execute("set local role pgpsa_staff")
            conn.execute("select api.begin_request()")
            explain = f'explain execute "{name}"({", ".join(args)})'
            return "\n".join(r["QUERY PLAN"] for r in conn.execute(explain).fetchall())


def test_each_tenant_has_its_page_the_large_one_reads_its_index_and_checks_the_policies_once(
    one_connection, make_tenant, admin
):
    small, large = make_tenant("manager"), make_tenant("manager")
    with admin.transaction():
        admin.execute("select set_config('pgpsa.tenant_id', %s, true)", [str(large.id)])
        admin.execute("insert into app.clients (tenant_id, account_code, name, channel) "
                      "select %s, 'C' || g, 'Client ' || lpad(g::text, 5, '0'), 'retail' "
                      "from generate_series(1, %s) as g", [large.id, CLIENTS])
    admin.execute("analyze app.clients")
    client = one_connection.test_client()
    for tenant in (small, large):  # the small tenant first: its plan would be the one kept
        headers = _token(client, tenant)
        for _ in range(READS):
            r = client.get("/api/v1/clients?page[size]=25", headers=headers)
            assert r.status_code == 200, r.get_json()
        assert r.get_json()["meta"]["total"] == (CLIENTS if tenant is large else 0)

    pages = _prepared(one_connection, '%from "api"."clients"%limit%')
    for tenant in (small, large):
        assert [p for p in pages if str(tenant.id) in p], f"no page prepared for {tenant.slug}: {pages}"

    # The large tenant's own statement, run as its manager on that connection: its first page in the list's index
    # ((archived_at is not null) = false).
    plan = _plan(one_connection, large, next(p for p in pages if str(large.id) in p), "false")
    assert not re.search(r"(^|-> +)Sort ", plan, re.M), plan  # an incremental sort of the index's runs is no sort

    # Its count reads every one of its 3,000 clients: the policies' tests (which read the settings) run once.
    count = next(p for p in _prepared(one_connection, '%count(*)%from "api"."clients"%') if str(large.id) in p)
    plan = _plan(one_connection, large, count, "false")
    per_row = [line for line in plan.splitlines() if "current_setting" in line and "One-Time Filter" not in line]
    assert "One-Time Filter" in plan and not per_row, plan
