"""The service around the API: health, OpenAPI, the pooled request context, and the admin commands."""

import uuid

from service import create_app
from service.admin import DEMO_PASSWORD, seed_demo, tenant, user
from service.auth import hash_password
from service.db import close_pool, get_pool


def test_healthz_ok(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"} and r.headers["X-Request-Id"]


def test_healthz_503_when_the_database_is_down(problem, test_config):
    app = create_app(
        {**test_config, "SERVICE_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none", "POOL_TIMEOUT": 0.5}
    )
    try:
        problem(app.test_client().get("/healthz"), 503)
    finally:
        close_pool(app)


def test_openapi_is_3_1_and_lists_the_client_schemas(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    schemas = doc["components"]["schemas"]
    assert {"Client", "ClientCreate", "ClientPatch", "ClientPage", "Contact", "Problem"} <= set(schemas)
    assert "accountCode" in schemas["ClientCreate"]["properties"]
    assert schemas["ClientCreate"]["additionalProperties"] is False
    listing = doc["paths"]["/api/v1/clients"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "page[number]",
        "page[size]",
        "q",
        "channel",
        "archived",
    }
    assert doc["paths"]["/api/v1/clients/{clientId}"]["patch"]["security"] == [{"bearer": []}]
    tenant_header = {p["name"]: p for p in listing["parameters"]}["X-Tenant"]
    assert tenant_header["in"] == "header" and not tenant_header["required"]


def test_request_context_never_survives_into_the_next_checkout(make_tenant, password, test_config):
    app = create_app({**test_config, "POOL_MIN_SIZE": 1, "POOL_MAX_SIZE": 1})
    try:
        t = make_tenant("manager", "designer")
        c = app.test_client()

        def headers(role):
            r = c.post(
                "/api/v1/auth/token", json={"tenant": t.slug, "email": t.email(role), "password": password}
            )
            return {"Authorization": f"Bearer {r.get_json()['accessToken']}"}

        ok = c.post(
            "/api/v1/clients",
            headers=headers("manager"),
            json={"accountCode": "CTX", "name": "Ctx", "channel": "web"},
        )
        assert ok.status_code == 201
        failed = c.post(
            "/api/v1/clients",
            headers=headers("designer"),
            json={"accountCode": "CTX2", "name": "Ctx", "channel": "web"},
        )
        assert failed.status_code == 403  # an aborted transaction must not leak either
        with app.app_context(), get_pool().connection() as conn:
            row = conn.execute(
                "select current_user as who, current_setting('pgpsa.tenant_id', true) as tenant,"
                " current_setting('pgpsa.user_id', true) as usr,"
                " current_setting('pgpsa.permissions', true) as perms"
            ).fetchone()
        assert row["who"] == "pgpsa_service"
        assert not row["tenant"] and not row["usr"] and not row["perms"]
    finally:
        close_pool(app)


def test_tenant_and_user_commands(app, admin, password):
    runner = app.test_cli_runner()
    slug = "cli-" + uuid.uuid4().hex[:8]
    r = runner.invoke(
        tenant,
        [
            "create",
            "--slug",
            slug,
            "--name",
            "CLI Co",
            "--admin-email",
            f"boss@{slug}.test",
            "--admin-password",
            password,
        ],
    )
    assert r.exit_code == 0, r.output
    again = runner.invoke(
        tenant,
        ["create", "--slug", slug, "--name", "CLI Co", "--admin-email", "b@x.test", "--admin-password", password],
    )
    assert again.exit_code != 0 and "already exists" in again.output
    r = runner.invoke(
        user,
        [
            "create",
            "--tenant",
            slug,
            "--email",
            f"s@{slug}.test",
            "--name",
            "S",
            "--role",
            "sales",
            "--password",
            password,
        ],
    )
    assert r.exit_code == 0, r.output
    roles = admin.execute(
        "select u.role from app.users u join app.tenants t on t.id = u.tenant_id"
        " where t.slug = %s order by 1",
        [slug],
    ).fetchall()
    assert [x[0] for x in roles] == ["admin", "sales"]


def test_seed_demo_is_idempotent_and_its_login_lists_clients(app, client, admin):
    runner = app.test_cli_runner()
    first = runner.invoke(seed_demo)
    assert first.exit_code == 0, first.output

    def counts():
        demo = "(select id from app.tenants where slug = 'demo')"
        return admin.execute(
            f"select (select count(*) from app.users where tenant_id = {demo}),"
            f" (select count(*) from app.clients where tenant_id = {demo}),"
            f" (select count(*) from app.contacts where tenant_id = {demo})"
        ).fetchone()

    before = counts()
    # A database seeded before the demo password changed: its users get the current one.
    with app.app_context():
        admin.execute(
            "update app.users set password_hash = %s"
            " where tenant_id = (select id from app.tenants where slug = 'demo')",
            [hash_password("demo-password")],
        )
    second = runner.invoke(seed_demo)
    assert second.exit_code == 0 and "manager@demo.test" in second.output and DEMO_PASSWORD in second.output
    assert counts() == before and before[0] == 7 and before[1] > 0 and before[2] > 0
    # The demo password is printed by the command (README documents it too).
    r = client.post(
        "/api/v1/auth/token",
        json={"tenant": "demo", "email": "manager@demo.test", "password": DEMO_PASSWORD},
    )
    assert r.status_code == 200
    listed = client.get("/api/v1/clients", headers={"Authorization": f"Bearer {r.get_json()['accessToken']}"})
    assert listed.status_code == 200 and listed.get_json()["data"]
