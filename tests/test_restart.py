"""A database restart is survived (issue O): PostgreSQL stops and starts again under a bounded load on the service (a
real WSGI server, a few threads) and the worker running its loop. While it is away every request answers 503
problem+json with Retry-After (never a 500, a traceback, or a wait past the pool timeout); within seconds of its
return every request is served again, and the worker (procrastinate's, in `pgpsa worker`), never restarted, says it
lost the database and delivers an event recorded after the restart.

The cluster restarted is one of its own (scripts/pg.sh with a private folder and port, as tests/test_cli.py makes
one): the rest of the suite keeps using the test cluster, even when it runs beside this test."""

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import requests
from deploy_support import PG_SH, pgpsa_db, throwaway_dir
from net_support import free_port
from werkzeug.serving import make_server

from service import create_app
from service.admin import create_tenant, create_user
from service.db import close_pool

PGPSA = str(Path(sys.executable).parent / "pgpsa")
POOL_TIMEOUT = 2.0  # seconds a request may wait for a connection
DOWN_FOR = 2.0  # seconds the database stays away
BACK_WITHIN = 10.0  # full service within this long of the database's return
THREADS = 4
PASSWORD = "correct horse battery staple"


@pytest.fixture
def own_cluster():
    """A cluster of this test's own, migrated; yields (environment for pg.sh, its superuser URL)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SERVICE_DATABASE_URL")}
    # CI=true: a throwaway cluster, without fsync (pg.sh).
    env.update(PGPSA_PGDIR=throwaway_dir("pgpsa-restart"), PGPORT=str(free_port()), CI="true")
    try:
        subprocess.run([str(PG_SH), "ensure", "pgpsa"], env=env, capture_output=True, check=True, timeout=120)
        url = subprocess.run(
            [str(PG_SH), "url", "pgpsa"], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        pgpsa_db(url, "up")
        yield env, url
    finally:
        subprocess.run([str(PG_SH), "destroy"], env=env, capture_output=True, check=False, timeout=120)


@dataclass
class Answer:
    started: float
    took: float
    status: int | None  # None: no answer at all (a connection error or our own timeout)
    problem: bool = False
    retry_after: str | None = None
    traceback: bool = False


def _load(base: str, headers: dict, stop: threading.Event, answers: list[Answer]) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            r = requests.get(f"{base}/api/v1/clients", headers=headers, timeout=POOL_TIMEOUT + 8)
            answers.append(
                Answer(
                    started,
                    time.monotonic() - started,
                    r.status_code,
                    r.headers.get("content-type", "").startswith("application/problem+json"),
                    r.headers.get("Retry-After"),
                    "Traceback" in r.text,
                )
            )
        except requests.RequestException:
            answers.append(Answer(started, time.monotonic() - started, None))
        time.sleep(0.02)


def _worker_lines(proc: subprocess.Popen, lines: list[tuple[float, str]]) -> None:
    for line in proc.stdout:
        lines.append((time.monotonic(), line.rstrip()))


def _record_event(url: str, tenant) -> object | None:
    """An event of the tenant (its delivery queued in the same transaction), or None while the database is away."""
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=2) as conn:
            conn.execute("select set_config('pgpsa.tenant_id', %s, false)", [str(tenant)])
            return conn.execute("select internal.record_event('restart.test', 'tenant', %s)", [tenant]).fetchone()[0]
    except psycopg.OperationalError:
        return None


def _delivered(url: str, event_id) -> bool:
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=2) as conn:
            query = "select delivered_at is not null from app.domain_events where id = %s"
            return conn.execute(query, [event_id]).fetchone()[0]
    except psycopg.OperationalError:
        return False


def _wait_delivered(url: str, event_id, within: float) -> float | None:
    """Seconds until the worker delivered the event, or None if it did not within `within`."""
    started = time.monotonic()
    while time.monotonic() < started + within:
        if _delivered(url, event_id):
            return time.monotonic() - started
        time.sleep(0.1)
    return None


def test_requests_and_the_worker_survive_a_database_restart(own_cluster, test_config):
    env, url = own_cluster
    service_url = url.replace("postgresql://postgres@", "postgresql://pgpsa_service@", 1)
    app = create_app({**test_config, "SERVICE_DATABASE_URL": service_url, "POOL_TIMEOUT": POOL_TIMEOUT})
    with app.app_context(), psycopg.connect(url, autocommit=True) as admin, admin.transaction():
        tenant = create_tenant(admin, "restart", "Restart")
        create_user(admin, tenant, "m@restart.test", "M", "manager", PASSWORD)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    base = f"http://127.0.0.1:{server.server_port}"
    worker = subprocess.Popen(
        [PGPSA, "worker"],
        env={**env, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"},  # (pg.sh ignores its cluster given DATABASE_URL)
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    worker_out: list[tuple[float, str]] = []
    threading.Thread(target=_worker_lines, args=(worker, worker_out), daemon=True).start()
    stop, answers = threading.Event(), []
    load = []
    try:
        before = _record_event(url, tenant)
        assert _wait_delivered(url, before, 30) is not None, [line for _, line in worker_out]
        login = {"tenant": "restart", "email": "m@restart.test", "password": PASSWORD}
        token = requests.post(f"{base}/api/v1/auth/token", json=login, timeout=10).json()["accessToken"]
        headers = {"Authorization": f"Bearer {token}"}
        load = [threading.Thread(target=_load, args=(base, headers, stop, answers)) for _ in range(THREADS)]
        for t in load:
            t.start()
        time.sleep(1.0)

        subprocess.run([str(PG_SH), "stop"], env=env, capture_output=True, check=True, timeout=60)
        stopped = time.monotonic()
        time.sleep(DOWN_FOR)
        subprocess.run([str(PG_SH), "ensure"], env=env, capture_output=True, check=True, timeout=60)
        back = time.monotonic()

        after = _record_event(url, tenant)
        assert after is not None, "the database did not take an event once it was back"
        recorded = time.monotonic()

        # Until every thread has been served for a second in a row and the worker delivered the event (at most
        # BACK_WITHIN and a little).
        delivered = None
        while time.monotonic() < back + BACK_WITHIN + 3:
            recent = [a for a in answers if a.started > time.monotonic() - 1.0]
            served = len(recent) >= THREADS and all(a.status == 200 for a in recent)
            if delivered is None and _delivered(url, after):
                delivered = time.monotonic() - back
            if time.monotonic() > back + 1.0 and served and delivered is not None:
                break
            time.sleep(0.1)
    finally:
        stop.set()
        for t in load:
            t.join(timeout=30)
        server.shutdown()
        close_pool(app)
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()

    statuses = sorted({a.status for a in answers}, key=str)
    during = [a for a in answers if a.status != 200]
    assert answers and statuses in ([200], [200, 503]), f"statuses seen: {statuses}"
    assert during, "the restart was not seen by any request"
    assert all(a.problem and a.retry_after and not a.traceback for a in during), "a 503 that is not problem+json"
    slowest = max(a.took for a in answers)
    assert slowest < POOL_TIMEOUT + 2, f"a request took {slowest:.1f} s"
    last_refused = max(a.started + a.took for a in during)
    recovered = last_refused - back
    assert recovered < BACK_WITHIN, f"full service {recovered:.1f} s after the database came back"
    assert [a for a in answers if a.started > last_refused], "no request served after the restart"
    # The worker outlived it: it said it lost the database and delivered an event recorded once it was back.
    lines = [line for _, line in worker_out]
    assert worker.returncode in (-15, 0), lines
    assert any(line.startswith("worker: lost the database") for line in lines), lines
    assert delivered is not None and delivered < BACK_WITHIN, lines
    served_again = min(a.started + a.took for a in answers if a.status == 200 and a.started + a.took > back) - back
    print(
        f"\nrestart: {len(answers)} requests, {len(during)} answered 503 while the database was away"
        f" ({back - stopped:.1f} s); slowest {slowest:.2f} s; after it was back: first answer served"
        f" {served_again:.2f} s, last 503 {recovered:+.2f} s, the worker delivered an event {delivered:.2f} s"
        f" ({delivered - (recorded - back):.2f} s after it was recorded)"
    )
