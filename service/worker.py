"""`pgpsa worker` (run the job queue), `pgpsa worker status|retry` and `pgpsa mail list|show`.

The worker runs procrastinate's worker with the jobs of service.jobs and its periodic tasks (schedules every
minute, stalled jobs put back). `--once` runs what is due now (the schedules, then every queued job) and exits:
for tests and cron users. The worker outlives a database restart: procrastinate's worker stops when its connection
goes, and this one says so in one line, waits for the database and starts it again (README "When PostgreSQL
restarts"); SIGTERM or SIGINT stops it gracefully (running jobs finish).
"""

import asyncio
import contextlib
import signal
from datetime import datetime

import click
import procrastinate
import psycopg

from service import config, jobs
from service.mail import render


def _drain() -> None:
    """Every job that is due, until none is left: a pass stops when it has caught up, and the jobs it ran may have
    queued more (an event's mails). Without the periodic tasks: `--once` has run the schedules as of its `--now`,
    and procrastinate's deferrer would otherwise queue them again as of the real clock (a tenant's 08:00 reminders
    sent at a test's 07:59)."""
    due = "select count(*) from procrastinate_jobs where status = 'todo' and coalesce(scheduled_at, now()) <= now()"
    periodic, jobs.app.periodic_registry = jobs.app.periodic_registry, procrastinate.periodic.PeriodicRegistry()
    try:
        while True:
            jobs.app.run_worker(wait=False, concurrency=jobs.SETTINGS["WORKER_CONCURRENCY"],
                                install_signal_handlers=False, listen_notify=False, delete_jobs="successful")
            with psycopg.connect(jobs.queue_conninfo()) as conn:
                if conn.execute(due).fetchone()[0] == 0:
                    return
    finally:
        jobs.app.periodic_registry = periodic


# While the database is away (a restart): wait this long before connecting again, doubling up to the most.
RECONNECT_FIRST, RECONNECT_MOST = 0.5, 2.0
# What a lost or refused connection looks like, from procrastinate (wrapped) or psycopg.
_GONE = (procrastinate.exceptions.ProcrastinateException, psycopg.Error, OSError)


def _reason(e: BaseException) -> str:
    while isinstance(e, procrastinate.exceptions.ConnectorException) and e.__cause__ is not None:
        e = e.__cause__
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _until_reachable(stop: asyncio.Event) -> None:
    """Returns once the queue's database answers (or a stop was asked), saying each failed attempt in one line."""
    wait = RECONNECT_FIRST
    while not stop.is_set():
        try:
            conn = await psycopg.AsyncConnection.connect(jobs.queue_conninfo(), connect_timeout=5)
            await conn.close()
            return
        except (psycopg.Error, OSError) as e:
            click.echo(f"worker: the database is not reachable ({_reason(e)}); trying again in {wait:g} s", err=True)
        await _sleep_unless(stop, wait)
        wait = min(wait * 2, RECONNECT_MOST)


async def run_forever(**options) -> None:
    """procrastinate's worker, started again whenever it stops without being asked to: it stops when its listener
    loses the database, and waits on its pool no longer than the pool timeout (service.jobs), so this says so, waits
    for the database and starts it again. Jobs it was running are put back by the stalled-jobs task (their worker
    stopped beating)."""
    loop, stop = asyncio.get_running_loop(), asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    while True:
        await _until_reachable(stop)
        if stop.is_set():
            return
        try:
            async with jobs.app.open_async():
                run = asyncio.create_task(jobs.app.run_worker_async(install_signal_handlers=False, **options))
                stopping = asyncio.create_task(stop.wait())
                await asyncio.wait({run, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if stop.is_set():
                    run.cancel()  # procrastinate's graceful stop: running jobs finish, the worker unregisters
                    with contextlib.suppress(asyncio.CancelledError, *_GONE):
                        await run
                    return
                stopping.cancel()
                run.result()
                reason = "its worker stopped"
        except _GONE as e:
            reason = _reason(e)
        click.echo(f"worker: lost the database ({reason}); connecting again", err=True)


@click.group(invoke_without_command=True)
@click.option("--once", is_flag=True, help="run the schedules and every due job, then exit")
@click.option("--now", "at", type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"]), default=None,
              help="with --once: the time the schedules run as (e.g. 2026-12-01T08:00+0000); tests move time so")
@click.option("--tenant", "slug", default=None, help="with --once: run only this tenant's schedules (its slug)")
@click.pass_context
def worker(ctx, once: bool, at: datetime | None, slug: str | None):
    """Run the job queue: event delivery, mail, escalations and the schedules, as the worker role."""
    if ctx.invoked_subcommand is not None:
        return
    if not once:
        asyncio.run(run_forever(concurrency=jobs.SETTINGS["WORKER_CONCURRENCY"], delete_jobs="successful",
                                update_heartbeat_interval=min(10.0, jobs.SETTINGS["STALLED_SECONDS"] / 3),
                                stalled_worker_timeout=jobs.SETTINGS["STALLED_SECONDS"]))
        return

    async def put_back_stalled():
        async with jobs.app.open_async():
            return await jobs.retry_stalled(jobs.app)

    stalled = asyncio.run(put_back_stalled())
    totals: dict = {}
    failed = jobs.run_schedules(at, [_tenant_id(slug)] if slug else None, totals)
    _drain()
    for schedule, n in sorted(totals.items()):
        click.echo(f"{schedule.replace('_', ' ')}: {n}")
    click.echo(f"worker: {stalled} stalled job(s) queued again, {failed} schedule run(s) failed")
    if failed:
        raise SystemExit(1)


def _tenant_id(slug: str):
    with psycopg.connect(config.admin_database_url()) as conn:
        row = conn.execute("select id from app.tenants where slug = %s", [slug]).fetchone()
    if row is None:
        raise click.ClickException(f"No tenant {slug}.")
    return row[0]


_STATUS = """
select task_name,
    count(*) filter (where status = 'todo' and coalesce(scheduled_at, now()) <= now()) as waiting,
    count(*) filter (where status = 'todo' and scheduled_at > now()) as scheduled,
    count(*) filter (where status = 'doing') as running,
    count(*) filter (where status = 'failed') as failed,
    extract(epoch from now() - min(e.at) filter (where status = 'todo' and coalesce(scheduled_at, now()) <= now()))
        ::integer as oldest_waiting_seconds
from queue.procrastinate_jobs as j
left join lateral (
    select min(x.at) as at from queue.procrastinate_events as x where x.job_id = j.id and x.type = 'deferred'
) as e on true
group by task_name order by task_name
"""


@worker.command()
def status():
    """Queue depth, oldest waiting job, failures per task; dead events per tenant."""
    with psycopg.connect(config.admin_database_url()) as conn:
        rows = conn.execute(_STATUS).fetchall()
        dead = conn.execute(
            "select t.slug, count(*) from app.domain_events as e join app.tenants as t on t.id = e.tenant_id"
            " where e.dead_at is not null group by t.slug order by t.slug"
        ).fetchall()
    click.echo(f"{'task':<20} {'waiting':>8} {'scheduled':>9} {'running':>8} {'failed':>7} {'oldest wait':>12}")
    for task, waiting, scheduled, running, failed, oldest in rows:
        age = f"{oldest} s" if oldest is not None else "-"
        click.echo(f"{task:<20} {waiting:>8} {scheduled:>9} {running:>8} {failed:>7} {age:>12}")
    for slug, count in dead or [("(none)", 0)]:
        click.echo(f"dead events: {slug} {count}")


@worker.command()
@click.argument("event_id")
def retry(event_id: str):
    """Queue a dead event again."""
    for tenant_id in jobs.tenants():
        with jobs.as_worker(tenant_id) as conn:
            if conn.execute("select api.retry_event(%s)", [event_id]).fetchone()[0]:
                click.echo(f"event {event_id} queued again")
                return
    raise click.ClickException(f"No undelivered event with id {event_id}.")


@click.group()
def mail():
    """The messages the product sent (the local outbox when SendGrid is off)."""


_MAIL = """
select m.id, m.template, m.to_email, m.to_name, m.status, m.provider, m.created_at, m.sent_at, t.slug, t.name,
    m.context || internal.mail_secrets(m.tenant_id, m.context) as context
from app.outbound_mail as m join app.tenants as t on t.id = m.tenant_id
"""


@mail.command("list")
@click.option("--limit", default=20, show_default=True)
def mail_list(limit: int):
    """The latest messages: when, to whom, what, and their state."""
    with psycopg.connect(config.admin_database_url()) as conn:
        rows = conn.execute(_MAIL + " order by m.created_at desc limit %s", [limit]).fetchall()
    for r in rows:
        click.echo(f"{r[0]}  {r[6]:%Y-%m-%d %H:%M}  {r[8]:<16} {r[4]:<8} {r[1]:<20} {r[2]}")


@mail.command("show")
@click.argument("mail_id")
def mail_show(mail_id: str):
    """One message, as it was (or will be) sent."""
    with psycopg.connect(config.admin_database_url()) as conn:
        r = conn.execute(_MAIL + " where m.id = %s", [mail_id]).fetchone()
    if r is None:
        raise click.ClickException(f"No mail with id {mail_id}.")
    message = render({"id": r[0], "template": r[1], "to_email": r[2], "to_name": r[3], "tenant_name": r[9],
                      "context": r[10]})
    click.echo(f"From: {message.from_name}\nTo: {message.to_name or ''} <{message.to_email}>\n"
               f"Subject: {message.subject}\nStatus: {r[4]}\n\n{message.text}")
