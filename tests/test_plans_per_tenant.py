"""A pooled connection serves every tenant, and a prepared statement keeps the plan it was first given. A page's plan
depends on the tenant's size (PostgreSQL estimates the policies' tenant test from the setting's value), so each
connection prepares a page once per tenant: a large tenant never reads its list with the plan made for a small one."""

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


def _prepared_pages(app) -> list[str]:
    with app.app_context(), get_pool().connection() as conn:
        rows = conn.execute("select statement from pg_prepared_statements where statement like %s",
                            ["%from \"api\".\"clients\"%limit%"]).fetchall()
    return [r["statement"] for r in rows]


def test_a_page_is_prepared_for_each_tenant_and_the_large_one_reads_its_index(one_connection, make_tenant, admin):
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

    pages = _prepared_pages(one_connection)
    for tenant in (small, large):
        assert [p for p in pages if str(tenant.id) in p], f"no page prepared for {tenant.slug}: {pages}"

    # The large tenant's own statement, run as its manager on that connection: its first page in the list's index.
    statement = next(p for p in pages if str(large.id) in p)
    with one_connection.app_context(), get_pool().connection() as conn:
        name = conn.execute("select name from pg_prepared_statements where statement = %s", [statement]
                            ).fetchone()["name"]
        with conn.transaction():
            conn.execute("select set_config('pgpsa.tenant_id', %s, true), set_config('pgpsa.user_id', %s, true)",
                         [str(large.id), str(large.users["manager"][0])])
            conn.execute("set local role pgpsa_staff")
            conn.execute("select api.begin_request()")
            # (archived_at is not null) = false, a page of 25 from the first
            explain = f'explain execute "{name}"(false, 25, 0)'
            plan = "\n".join(r["QUERY PLAN"] for r in conn.execute(explain).fetchall())
    assert not re.search(r"(^|-> +)Sort ", plan, re.M), plan  # an incremental sort of the index's runs is no sort
