"""Harness for db/tests/test_*.sql (pytest-pgtap): a checked connection, helpers loaded, no silent skips."""

import os
import re
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from pytest_pgtap.pgtap import Runner

HELPERS = Path(__file__).resolve().parent / "db" / "tests" / "helpers"

# Helpers (schema `tests`) are loaded by the fixture below, never collected as tests.
collect_ignore_glob = ["db/tests/helpers/*"]

INTERNAL_ERROR = pytest.ExitCode.INTERNAL_ERROR
_skipped: list[str] = []


def pytest_configure(config):
    # pytest-pgtap falls back to the PG* variables and, when that connection fails, SKIPS every SQL file
    # with only a warning: always hand it the URL explicitly.
    config.option.pgtap_uri = getattr(config.option, "pgtap_uri", None) or os.environ.get("DATABASE_URL")
    if not config.option.pgtap_uri:
        raise pytest.UsageError("DATABASE_URL (or --pgtap-uri) must name the migrated test database")


@pytest.fixture(scope="session")
def pgtap_connection(request):
    """pytest-pgtap's connection, overridden: stop the whole run if the database is unreachable."""
    uri = request.config.option.pgtap_uri
    try:
        conn = psycopg.connect(uri, connect_timeout=10)
    except psycopg.Error as err:
        pytest.exit(f"pgTAP: cannot connect to {uri}: {err}", returncode=INTERNAL_ERROR)
    with conn:
        _load_helpers(conn)
        yield conn


_TAP_LINE = re.compile(r"(ok|not ok|1\.\.\d+|Bail out!)\b|\s*#")


class _TextRunner(Runner):
    """Only TAP reaches the parser, as with pg_prove: rows of set-up statements (`select tests.remember(...)`
    returns a uuid, `select api.archive_client(...)` an id) would otherwise be read as plan lines, and
    pytest-pgtap 0.4 would crash joining non-strings."""

    def run(self, query):
        rows = ("" if row is None else str(row) for row in super().run(query))
        return [row for row in rows if _TAP_LINE.match(row)]


@pytest.fixture(scope="session")
def _pgtap_runner(pgtap_connection):  # overrides pytest-pgtap's fixture of the same name
    return _TextRunner(pgtap_connection)


def _load_helpers(conn: psycopg.Connection) -> None:
    """pgTAP and the `tests` helpers, once per session, committed before the first SQL test file runs."""
    schema = conn.execute("select coalesce(to_regnamespace('extensions')::text, 'public')").fetchone()[0]
    create = sql.SQL("create extension if not exists pgtap with schema {}")
    conn.execute(create.format(sql.Identifier(schema)))
    for path in sorted(HELPERS.glob("*.sql")):
        try:
            conn.execute(path.read_text())
        except psycopg.Error as err:
            pytest.exit(f"pgTAP: loading {path.name} failed: {err}", returncode=INTERNAL_ERROR)
    conn.commit()


# A skip here means a broken set-up (no database, a plan that skipped everything), never a choice: fail.
def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _skipped and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        terminalreporter.section("skipped tests fail this run", red=True)
        for nodeid in _skipped:
            terminalreporter.write_line(f"SKIPPED {nodeid}", red=True)
