"""The worker's jobs, on procrastinate (a PostgreSQL job queue, schema `queue`).

The database queues them (internal.enqueue, in the transaction of the change that causes them): an event's
delivery, a mail's sending, a stage's escalation. Each job carries its tenant and does its database work as the
worker role with that tenant set, in its own transaction, through owner-run api functions that stay in it. A failed
job is retried with exponential backoff; an event that fails its last attempt is dead (`pgpsa worker retry`).
A periodic task runs each tenant's schedules (api.due_schedules / api.run_schedule), and another puts jobs a killed
worker left in `doing` back in the queue.
"""

import logging
from contextlib import contextmanager
from datetime import UTC, datetime

import procrastinate
import psycopg
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from service import config, scan
from service.db import check_idle, check_idle_async, set_local, set_role
from service.mail import mailer, render

log = logging.getLogger(__name__)
WORKER_ROLE, QUEUE_ROLE = "pgpsa_worker", "pgpsa_queue"
SETTINGS = config.defaults()


class Backoff(BaseRetryStrategy):
    """Retries after JOB_RETRY_WAIT seconds, doubling each time, until JOB_MAX_ATTEMPTS attempts."""

    def get_retry_decision(self, *, exception, job) -> RetryDecision | None:
        if job.attempts + 1 >= SETTINGS["JOB_MAX_ATTEMPTS"]:
            return None
        return RetryDecision(retry_in={"seconds": SETTINGS["JOB_RETRY_WAIT"] * 2**job.attempts})


def queue_conninfo() -> str:
    """The service's login, as the queue's role, with procrastinate's schema on the path."""
    params = conninfo_to_dict(config.service_database_url())
    params["options"] = f"{params.get('options', '')} -c search_path=queue -c role={QUEUE_ROLE}".strip()
    return make_conninfo(**params)


# The connection string is read when the worker opens its pool (not at import: the CLI imports this module).
# Its pool waits for a connection no longer than the service's does, and gives up connecting after as long: while the
# database is away procrastinate's worker ends within seconds, and `pgpsa worker` starts it again once it is back.
# Its check is the service's (procrastinate names psycopg_pool's, a round trip before each of a job's checkouts).
app = procrastinate.App(connector=procrastinate.PsycopgConnector(
    conninfo=queue_conninfo, timeout=SETTINGS["POOL_TIMEOUT"], reconnect_timeout=SETTINGS["POOL_RECONNECT_TIMEOUT"],
    pool_factory=lambda **kwargs: AsyncConnectionPool(**{**kwargs, "check": check_idle_async})))
_pool: ConnectionPool | None = None


def pool() -> ConnectionPool:
    global _pool
    if _pool is None:
        size = SETTINGS["WORKER_CONCURRENCY"] + 1
        # As the service's pool: a connection is tried before a job gets it (after a database restart a dead one is
        # replaced, not handed out), and connecting while the database is away gives up after a few seconds.
        _pool = ConnectionPool(config.service_database_url(), min_size=1, max_size=size, open=True, name="worker",
                               check=check_idle,
                               reconnect_timeout=SETTINGS["POOL_RECONNECT_TIMEOUT"])
    return _pool


@contextmanager
def as_worker(tenant_id=None):
    """One transaction as the worker role, with the tenant set (transaction-locally) when one is given. Pipelined as
    a request's is (service.db.transaction): BEGIN and the context go out with the job's first query, one round trip
    where there were four."""
    with pool().connection() as conn, conn.pipeline(), conn.transaction():
        conn.execute(set_role(WORKER_ROLE))
        if tenant_id is not None:
            conn.execute(set_local("pgpsa.tenant_id", str(tenant_id)))
        yield conn


def _last_attempt(context) -> bool:
    return context.job.attempts + 1 >= SETTINGS["JOB_MAX_ATTEMPTS"]


@app.task(name="deliver_event", retry=Backoff(), pass_context=True)
def deliver_event(context, tenant_id: str, event_id: str) -> None:
    try:
        with as_worker(tenant_id) as conn:
            conn.execute("select api.deliver_event(%s)", [event_id])
    except Exception as e:
        with as_worker(tenant_id) as conn:  # its own transaction: the failure is recorded though the job fails
            conn.execute("select api.event_failed(%s, %s, %s)", [event_id, f"{type(e).__name__}: {e}",
                                                                 _last_attempt(context)])
        raise


@app.task(name="send_mail", retry=Backoff(), pass_context=True)
def send_mail(context, tenant_id: str, mail_id: str) -> None:
    with as_worker(tenant_id) as conn:  # claimed and committed before it goes out: a killed send is known
        mail = conn.execute("select * from api.mail_to_send(%s)", [mail_id]).fetchone()
    if mail is None:
        return  # sent already
    keys = ("id", "template", "to_email", "to_name", "context", "tenant_name", "attempts", "resumed")
    mail = dict(zip(keys, mail, strict=True))
    transport = mailer(SETTINGS)
    try:
        provider_id = transport.send(render(mail, SETTINGS), resumed=mail["resumed"])
    except Exception as e:
        with as_worker(tenant_id) as conn:
            conn.execute("select api.mail_failed(%s, %s)", [mail_id, f"{type(e).__name__}: {e}"])
        raise
    with as_worker(tenant_id) as conn:
        conn.execute("select api.mail_sent(%s, %s, %s)", [mail_id, transport.name, provider_id])


@app.task(name="escalate_stage", retry=Backoff())
def escalate_stage(tenant_id: str, stage_id: str) -> None:
    with as_worker(tenant_id) as conn:
        conn.execute("select api.escalate_stage(%s)", [stage_id])


_flask = None


def _storage():
    """The service's storage (S3 or the local folder), as the service configures it."""
    global _flask
    if _flask is None:
        from service import create_app

        _flask = create_app()
    from service.storage import get_storage

    with _flask.app_context():
        return get_storage()


@app.task(name="scan_file", retry=Backoff())
def scan_file(tenant_id: str, file_id: str) -> None:
    """A client's upload checked before the team sees it (service.scan); available, or quarantined."""
    with as_worker(tenant_id) as conn:
        found = conn.execute("select storage_key, content_type from api.file_to_scan(%s)", [file_id]).fetchone()
    if found is None:
        return  # scanned already, or gone
    verdict = scan.clean(_storage().head(found[0]), found[1])
    with as_worker(tenant_id) as conn:
        conn.execute("select api.file_scanned(%s, %s)", [file_id, verdict])


def tenants() -> list:
    with as_worker() as conn:
        return [row[0] for row in conn.execute("select api.worker_tenants()").fetchall()]


def run_schedules(at: datetime | None = None, only: list | None = None, totals: dict | None = None) -> int:
    """Every tenant's due periods (or those of the tenants in `only`), each in its own transaction (a failure is
    logged and tried again on the next tick, for that tenant alone). Returns how many runs failed; `totals` gets
    what each schedule's sweeps counted."""
    at, failed, totals = at or datetime.now(UTC), 0, totals if totals is not None else {}
    for tenant_id in only or tenants():
        try:
            with as_worker(tenant_id) as conn:
                due = conn.execute("select schedule, period from api.due_schedules(%s)", [at]).fetchall()
        except psycopg.OperationalError:
            raise
        except psycopg.Error as e:  # this tenant's schedules wait for the next tick; the others still run
            failed += 1
            log.error("schedules failed for tenant %s: %s %s", tenant_id, e.sqlstate, e)
            continue
        for schedule, period in due:
            try:
                with as_worker(tenant_id) as conn:
                    n = conn.execute("select api.run_schedule(%s, %s)", [schedule, period]).fetchone()[0]
                totals[schedule] = totals.get(schedule, 0) + (n or 0)
            except psycopg.OperationalError:
                raise  # the database is gone: the job fails and is retried, the worker connects again
            except psycopg.Error as e:
                failed += 1
                log.error("%s %s failed for tenant %s: %s %s", schedule, period, tenant_id, e.sqlstate, e)
    return failed


@app.periodic(cron="* * * * *", periodic_id="schedules")
@app.task(name="schedules", queueing_lock="schedules")
def schedules(timestamp: int) -> None:
    run_schedules(datetime.fromtimestamp(timestamp, UTC))


@app.periodic(cron="* * * * *", periodic_id="stalled")
@app.task(name="retry_stalled_jobs", queueing_lock="retry_stalled_jobs", pass_context=True)
async def retry_stalled_jobs(context, timestamp: int) -> None:
    await retry_stalled(context.app)


async def retry_stalled(queue_app) -> int:
    """Jobs left in `doing` by a worker that stopped sending heartbeats (it was killed): back in the queue. The
    jobs are idempotent (a delivered event, a sent mail are not done again), so running one twice is safe."""
    seconds = SETTINGS["STALLED_SECONDS"]
    stalled = list(await queue_app.job_manager.get_stalled_jobs(seconds_since_heartbeat=seconds))
    for job in stalled:
        await queue_app.job_manager.retry_job(job)
    return len(stalled)
