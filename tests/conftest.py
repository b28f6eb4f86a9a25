"""Service fixtures against the real test database: an app, a client, tenants and users made in SQL."""

import os
import random
import uuid
from dataclasses import dataclass, field

import psycopg
import pytest
from deploy_support import deployed_template
from psycopg import sql

from service import create_app, passwords
from service.admin import create_tenant, create_user_hashed
from service.auth import hash_password
from service.db import close_pool

PASSWORD = "correct horse battery staple"
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-that-is-long-enough-for-hs256",
    # Cheap hashes keep the many logins fast; production keeps argon2-cffi's defaults.
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 1024,
}


@dataclass
class Tenant:
    slug: str
    id: uuid.UUID
    users: dict = field(default_factory=dict)  # role -> (user id, email)

    def email(self, role: str) -> str:
        return self.users[role][1]


@pytest.fixture(scope="session")
def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    assert url, "DATABASE_URL must point at the migrated test database"
    return url


@pytest.fixture(scope="session")
def migrated_template(database_url):
    """The name of a database `pgpsa db up` made from nothing for these files (made once, kept for later runs), to
    copy (CREATE DATABASE ... TEMPLATE) wherever a test needs a freshly deployed database of its own."""
    return deployed_template(database_url)


@pytest.fixture(scope="session")
def admin(database_url):
    """A superuser connection, to arrange data and to count rows past RLS."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def test_config() -> dict:
    return dict(TEST_CONFIG)


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(TEST_CONFIG)
    yield app
    close_pool(app)


@pytest.fixture
def client(app):
    """A test client with an address of its own: sign-in throttling counts failures per address, and one test's
    deliberate failures must not slow the next one down."""
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    return c


@pytest.fixture(scope="session")  # a factory; module-scoped fixtures make tenants too
def make_tenant(app, admin):
    """Tenants whose users all sign in with PASSWORD, checked by the password rule and hashed once for the session,
    not for each user as service.admin.create_user does (zxcvbn and argon2: 8 ms a user, and the suite makes
    hundreds)."""
    passwords.check(PASSWORD)
    with app.app_context():
        hashed = hash_password(PASSWORD)

    def make(*roles: str) -> Tenant:
        slug = "t-" + uuid.uuid4().hex[:12]
        with admin.transaction():
            tenant = Tenant(slug=slug, id=create_tenant(admin, slug, f"Tenant {slug}"))
            for role in roles:
                email = f"{role}@{slug}.test"
                tenant.users[role] = (create_user_hashed(admin, tenant.id, email, role.title(), role, hashed), email)
        return tenant

    return make


@pytest.fixture
def login(client):
    def login(tenant: Tenant, role: str) -> dict:
        r = client.post(
            "/api/v1/auth/token",
            json={"tenant": tenant.slug, "email": tenant.email(role), "password": PASSWORD},
        )
        assert r.status_code == 200, r.get_json()
        return {"Authorization": f"Bearer {r.get_json()['accessToken']}"}

    return login


@pytest.fixture
def count(admin):
    """Rows of an app table for one tenant, seen by the superuser (no RLS), to prove nothing was written."""

    def count(table: str, tenant: Tenant) -> int:
        query = sql.SQL("select count(*) from {} where tenant_id = %s").format(sql.Identifier("app", table))
        return admin.execute(query, [tenant.id]).fetchone()[0]

    return count


def _assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.headers.get("X-Request-Id")
    body = response.get_json()
    assert body["status"] == status
    assert body["requestId"] == response.headers["X-Request-Id"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


@pytest.fixture
def problem():
    """Asserts a problem+json answer with the given status and returns its body."""
    return _assert_problem


@pytest.fixture(scope="session")
def password() -> str:
    return PASSWORD
