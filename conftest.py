"""Harness for db/tests/test_*.sql (pytest-pgtap): a checked connection, helpers loaded, no silent skips; and, under
pytest-xdist, a database of each worker's own."""

import gc
import os
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from deploy_support import copy_database, url_of
from psycopg import sql
from pytest_pgtap.pgtap import Runner

HELPERS = Path(__file__).resolve().parent / "db" / "tests" / "helpers"

# Helpers (schema `tests`) are loaded by the fixture below, never collected as tests.
collect_ignore_glob = ["db/tests/helpers/*"]

INTERNAL_ERROR = pytest.ExitCode.INTERNAL_ERROR
_skipped: list[str] = []


def _own_database(config) -> None:
    """Under pytest-xdist each worker runs on a copy of the migrated, seeded test database (CREATE DATABASE ...
    TEMPLATE: a file copy, no migration re-run, in the scratch space), so workers share no rows, no queue and no
    locks; the copy is dropped at the end. Without xdist the tests run on DATABASE_URL itself."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("DATABASE_URL")
    if not worker or not url:
        return
    template = urlsplit(url).path.lstrip("/")
    name = f"{template}_{worker}"
    with psycopg.connect(url_of(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        copy_database(conn, template, name, throwaway=True)
    os.environ["DATABASE_URL"] = url_of(url, name)
    if os.environ.get("SERVICE_DATABASE_URL"):
        os.environ["SERVICE_DATABASE_URL"] = url_of(os.environ["SERVICE_DATABASE_URL"], name)
    config.stash[_OWN_DATABASE] = (url, name)


_OWN_DATABASE = pytest.StashKey[tuple]()


def pytest_unconfigure(config):
    if _OWN_DATABASE in config.stash:
        url, name = config.stash[_OWN_DATABASE]
        with psycopg.connect(url_of(url, "postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def pytest_configure(config):
    given = os.environ.get("DATABASE_URL")
    _own_database(config)
    # pytest-pgtap falls back to the PG* variables and, when that connection fails, SKIPS every SQL file
    # with only a warning: always hand it the URL explicitly. Its option's default is DATABASE_URL as read before
    # _own_database, the template: the worker's own copy replaces it, or every worker's SQL files would share the
    # template (and hold connections on it that make the next worker's CREATE DATABASE ... TEMPLATE wait).
    uri = getattr(config.option, "pgtap_uri", None)
    config.option.pgtap_uri = os.environ.get("DATABASE_URL") if uri in (None, given) else uri
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


def pytest_collection_finish(session):
    """The collected tests, their modules and the libraries they imported live to the end: frozen, the cyclic
    garbage collector no longer walks them at each collection, and it runs a fiftieth as often (hypothesis and
    schemathesis allocate a great deal). 5-6 % of the Python time of a CPU-bound part of the suite (schemathesis,
    sales, bad input, portal: 23.3-25.1 core-seconds against 24.8-26.3, serial, in pairs)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


# The files of many seconds, with roughly their seconds in a full run (make test, 2 cores): they start first, longest
# first, so that none starts late and ends the run alone on one worker while the others wait (the 1,000-event SIGKILL
# test, collected last, ran 13 s after the rest were done). A file that takes ten seconds or more belongs here.
LONG_FILES = {
    "tests/test_schemathesis.py": 49, "tests/test_portal_browser.py": 27, "tests/test_benchmarks.py": 23,
    "tests/test_worker_crash.py": 21, "tests/test_deploys.py": 20, "tests/test_portal.py": 17,
    "tests/test_restart.py": 15, "tests/test_automations.py": 14, "tests/test_portal_actions.py": 14,
    "tests/test_cli.py": 8, "tests/test_contract_split_migration.py": 7,
}


def pytest_collection_modifyitems(items):
    """The long files first, the rest after them in their order: make test hands out whole files (pytest-xdist's
    loadscope, so that a file's module fixtures, a browser, moto's S3, a served portal, are made once, not on every
    worker).

    Each schemathesis operation's test gets a node id of its own, as its name has: pytest 9 makes a node id from
    the function's name and its parameters, schemathesis 4 names the operation only in the item's name, and all 129
    shared one id, so that loadscope ran one of them and reported the run green. Any two tests that still share one
    stop the run here."""
    for item in items:
        label = getattr(item, "operation_label", None)
        if label and item._id.params is None:  # private: pytest has no public way to give an item its id
            item._id = item._id.with_params(label)
    twice = [nodeid for nodeid, n in Counter(item.nodeid for item in items).items() if n > 1]
    if twice:
        raise pytest.UsageError(f"{len(twice)} node ids name two tests or more, {twice[0]} first: each would run once")
    items.sort(key=lambda item: LONG_FILES.get(item.nodeid.split("::")[0], 0), reverse=True)


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
