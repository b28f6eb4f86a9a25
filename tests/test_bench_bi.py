"""bench/bi.py cannot rot: it runs once at a tiny size, as `python bench/bi.py` with its sizes from the environment,
on a scratch database migrated as `make bench-bi` migrates it. Its figures mean nothing at this size and are not
checked; that it loads, reads every bi view through the tenant's BI login and finds no leak (it exits 1 on one) is."""

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

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bi.py"
TINY = {"PROJECTS": "20", "TASKS": "200", "TIME_ENTRIES": "80", "INVOICES": "60", "OTHER_TENANTS": "1", "RUNS": "1"}


@pytest.fixture
def scratch(admin, database_url):
    """An empty database on the test server, migrated, dropped afterwards; yields its superuser URL."""
    name = f"pgpsa_bench_{uuid.uuid4().hex[:10]}"
    admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        url = urlunsplit(urlsplit(database_url)._replace(path="/" + name))
        result = CliRunner().invoke(migrate.db, ["up"], env={"DATABASE_URL": url})
        assert result.exit_code == 0, result.output
        yield url
    finally:
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def test_bench_bi_runs_at_a_tiny_size(scratch):
    done = subprocess.run(
        [sys.executable, str(BENCH)],
        env={**os.environ, **TINY, "DATABASE_URL": scratch},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"bench/bi.py failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    assert "unbilled_wip" in done.stdout, done.stdout
