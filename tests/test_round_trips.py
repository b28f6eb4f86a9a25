"""Round trips to the database per request, counted on the wire (libpq's protocol trace): a read is one, the context
(tenant, user, role, permissions, request id, address) travels with the first query, a write and its read two."""

import os
import tempfile
from contextlib import contextmanager

import pytest
from delivery_support import make_project, task_named
from psycopg import pq
from psycopg_pool import ConnectionPool

from service.db import check_idle, get_pool


@contextmanager
def wire(app, whole: bool = False):
    """The protocol messages the app's pooled connections send while the block runs (frontend messages only): their
    names, or their whole trace lines (with the statements' text)."""
    seen: list[str] = []
    with app.app_context():
        pool = get_pool()
    original = ConnectionPool.connection

    @contextmanager
    def traced(self, *args, **kwargs):
        with original(self, *args, **kwargs) as conn, tempfile.TemporaryFile("w+") as log:
            conn.pgconn.trace(log.fileno())
            conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
            try:
                yield conn
            finally:
                conn.pgconn.untrace()
                log.seek(0)
                sent = [line for line in log.read().splitlines() if line.startswith("F\t")]
                seen.extend(sent if whole else [line.split("\t")[2] for line in sent])

    pool.connection = traced.__get__(pool, ConnectionPool)
    try:
        yield seen
    finally:
        del pool.connection


def round_trips(messages: list[str]) -> int:
    """Each time the client waits for the server: a Flush (psycopg asks for the results so far, in pipeline mode),
    a Sync it does not follow with one, or a simple Query."""
    following = [*messages[1:], None]
    pairs = zip(messages, following, strict=True)
    return sum(1 for m, n in pairs if m in ("Flush", "Query") or (m == "Sync" and n != "Flush"))


@pytest.mark.skipif(os.name != "posix", reason="libpq traces to a file descriptor")
def test_reads_take_one_round_trip_and_a_write_two(app, client, make_tenant, login):
    tenant = make_tenant("manager")
    headers = login(tenant, "manager")
    project = make_project(client, headers)
    task = task_named(project, "Design proof")

    for path, status in (
        (f"/api/v1/projects/{project['id']}", 200),  # the project, its stages, tasks and approvals
        ("/api/v1/clients?page[size]=25", 200),  # the count and the page
        (f"/api/v1/tasks/{task['id']}/time-entries", 200),  # the parent task and the page
        ("/api/v1/projects/00000000-0000-4000-8000-000000000000", 404),
    ):
        with wire(app) as messages:
            r = client.get(path, headers=headers)
        assert r.status_code == status, r.get_json()
        assert round_trips(messages) == 1, (path, " ".join(messages))

    with wire(app) as messages:
        r = client.post(f"/api/v1/tasks/{task['id']}/time-entries", json={"hours": 1.5}, headers=headers)
    assert r.status_code == 201, r.get_json()
    assert round_trips(messages) == 2, " ".join(messages)  # the function, then the row it made with the COMMIT



@pytest.mark.skipif(os.name != "posix", reason="libpq traces to a file descriptor")
def test_a_refused_write_reads_its_constraints_words_once(app, client, make_tenant, login):
    """The sentence a constraint's COMMENT keeps is read after the first refusal (a transaction of its own) and then
    known: the same refusal again answers the same words without asking."""
    headers = login(make_tenant("manager"), "manager")
    product = {"sku": "TWICE", "name": "Card"}
    assert client.post("/api/v1/products", json=product, headers=headers).status_code == 201
    app.extensions.pop("pgpsa_constraint_messages", None)  # as a new app knows nothing yet
    asked = []
    for _ in range(2):
        with wire(app, whole=True) as lines:
            r = client.post("/api/v1/products", json=product, headers=headers)
        assert r.status_code == 409 and r.get_json()["detail"] == "A product with this SKU already exists."
        asked.append(any("constraint_message" in line for line in lines))
    assert asked == [True, False]


@pytest.mark.skipif(os.name != "posix", reason="libpq traces to a file descriptor")
def test_a_checkout_sends_nothing_and_a_connection_the_server_ended_is_replaced(app, admin):
    """The service's pool check: an idle connection is handed out without a query first (psycopg_pool's own check
    sends one), and one whose backend the server ended (a restart, a failover) is replaced, not handed out."""
    with app.app_context():
        conninfo = get_pool().conninfo
    pool = ConnectionPool(conninfo, min_size=1, max_size=1, check=check_idle)
    with pool, tempfile.TemporaryFile("w+") as log:
        with pool.connection() as conn:
            pid = conn.info.backend_pid
            conn.pgconn.trace(log.fileno())  # on from here: the next checkout's check
            conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        with pool.connection() as conn:
            conn.pgconn.untrace()
            assert conn.info.backend_pid == pid
        log.seek(0)
        assert [line for line in log.read().splitlines() if line.startswith("F\t")] == []

        assert admin.execute("select pg_terminate_backend(%s, 5000)", [pid]).fetchone()[0]
        with pool.connection() as conn:
            assert conn.execute("select 1").fetchone()[0] == 1
            assert conn.info.backend_pid != pid
