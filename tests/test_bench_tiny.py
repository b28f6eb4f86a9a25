"""The speed benchmarks run once at a tiny size (seconds; their figures are not checked), so one that breaks fails
the suite: bench/views.py, bench/api.py (without wrk only its pgbench side runs, which it always does),
bench/rls.py and bench/tenant_data.py, each as `python bench/X.py` with sizes from the environment, on a scratch
database of their own (made and migrated here, dropped after)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from click.testing import CliRunner
from psycopg import sql

from service import migrate

ROOT = Path(__file__).resolve().parent.parent
TINY = {
    "views.py": ({"SMALL": "3", "LARGE": "6", "RUNS": "3"}, "goal: every read's executor ratio"),
    "api.py": ({"PROJECTS": "4", "DURATION": "1", "CONNECTIONS": "2", "REPEAT": "1"}, "GET /api/v1/projects/{id}"),
    "rls.py": ({"CLIENTS": "200", "OTHER_TENANTS": "1", "RUNS": "2"}, "staff through the door"),
    "tenant_data.py": ({"PROJECTS": "3"}, "tenant "),
}


@pytest.fixture(scope="module")
def scratch(admin, database_url):
    """A migrated database for the benchmarks' data, dropped afterwards; yields its superuser URL."""
    name = f"pgpsa_bench_{uuid.uuid4().hex[:10]}"
    admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        url = urlunsplit(urlsplit(database_url)._replace(path="/" + name))
        result = CliRunner().invoke(migrate.db, ["up"], env={"DATABASE_URL": url})
        assert result.exit_code == 0, result.output
        yield url
    finally:
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


@pytest.mark.parametrize("script", sorted(TINY))
def test_the_benchmark_runs_at_a_tiny_size(scratch, script):
    sizes, expected = TINY[script]
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script)],
        env={**os.environ, "DATABASE_URL": scratch, **sizes}, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert expected in done.stdout, done.stdout[-3000:]
