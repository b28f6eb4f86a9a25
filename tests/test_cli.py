"""The `pgpsa` command as an operator runs it: no environment on a fresh checkout, one-line errors, password rule."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from deploy_support import PG_SH, throwaway_dir
from net_support import free_port

from service.admin import tenant, user

PGPSA = str(Path(sys.executable).parent / "pgpsa")
GOOD = "a long and unusual passphrase"


@pytest.fixture
def no_database_env():
    """The environment of a fresh shell: no DATABASE_URL, and (through pg.sh's own PGPSA_PGDIR and PGPORT) a
    cluster of its own that does not exist yet, so this checkout's clusters stay untouched."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SERVICE_DATABASE_URL")}
    env.update(PGPSA_PGDIR=throwaway_dir("pgpsa-cli"), PGPORT=str(free_port()))
    yield env
    subprocess.run([str(PG_SH), "destroy"], env=env, capture_output=True, check=False)


def _pgpsa(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([PGPSA, *args], env=env, capture_output=True, text=True, timeout=300)


def test_with_no_database_url_the_cli_uses_the_embedded_cluster(no_database_env):
    env = no_database_env
    early = _pgpsa(
        env, "tenant", "create", "--slug", "cli-x", "--name", "X", "--admin-email", "a@x.test", "--admin-password", GOOD
    )
    # The cluster and its database `pgpsa` are made on the way; the schema is `db up`'s job, and it says so.
    assert early.returncode == 1 and "run `pgpsa db up`" in early.stderr and "Traceback" not in early.stderr
    up = _pgpsa(env, "db", "up")
    assert up.returncode == 0, up.stderr
    made = _pgpsa(
        env,
        "tenant",
        "create",
        "--slug",
        "cli-x",
        "--name",
        "X",
        "--admin-email",
        "a@cli-x.test",
        "--admin-password",
        GOOD,
    )
    assert made.returncode == 0, made.stderr
    url = subprocess.run([str(PG_SH), "url", "pgpsa"], env=env, capture_output=True, text=True, check=True)
    with psycopg.connect(url.stdout.strip()) as conn:
        assert conn.execute("select count(*) from app.tenants where slug = 'cli-x'").fetchone()[0] == 1


def test_an_unreachable_database_is_one_line_not_a_traceback():
    env = {**os.environ, "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/none"}
    for args in (
        ("db", "status"),
        ("tenant", "create", "--slug", "x1", "--name", "X", "--admin-email", "a@x.test", "--admin-password", GOOD),
    ):
        r = _pgpsa(env, *args)
        assert r.returncode == 1 and "Traceback" not in r.stderr
        assert r.stderr.strip().startswith("Error: Cannot reach the database:") and len(r.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short-one", "at least 15 characters"),
        ("QwertyUiop12345", "too common"),  # on the bundled list, in any case
        ("passwordpassword", "too common or too easy to guess"),
    ],
)
def test_the_cli_refuses_a_weak_password_and_writes_nothing(app, admin, password, why):
    runner = app.test_cli_runner()
    slug = "cli-" + secrets.token_hex(4)
    r = runner.invoke(
        tenant,
        ["create", "--slug", slug, "--name", "W", "--admin-email", f"a@{slug}.test", "--admin-password", password],
    )
    assert r.exit_code == 2 and why in r.output and "--admin-password" in r.output
    assert admin.execute("select count(*) from app.tenants where slug = %s", [slug]).fetchone()[0] == 0
    made = runner.invoke(
        tenant, ["create", "--slug", slug, "--name", "W", "--admin-email", f"a@{slug}.test", "--admin-password", GOOD]
    )
    assert made.exit_code == 0, made.output
    r = runner.invoke(
        user,
        [
            "create",
            "--tenant",
            slug,
            "--email",
            f"d@{slug}.test",
            "--name",
            "D",
            "--role",
            "designer",
            "--password",
            password,
        ],
    )
    assert r.exit_code == 2 and why in r.output and "--password" in r.output
    assert admin.execute("select count(*) from app.users where email = %s", [f"d@{slug}.test"]).fetchone()[0] == 0
