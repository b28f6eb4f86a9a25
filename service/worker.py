"""`pgpsa worker`: scheduled database work, as the worker role (never the superuser), one tenant at a time.

Each sweep runs for each tenant in its own transaction with that tenant set, so one tenant's failure is reported
and retried on the next run without holding back the others (event delivery comes in a later issue).
"""

import time

import click
import psycopg
from psycopg import sql

from service import config

WORKER_ROLE = "pgpsa_worker"

# Scheduled sweeps (seed 003 §5.1), idempotent SQL: (function, its name, what its count means).
SWEEPS = [
    ("api.sla_sweep", "sla sweep", "stage(s) marked overdue and escalated"),
    ("api.quote_expiry_sweep", "quote expiry sweep", "quote(s) expired or reminded"),
    ("api.outstanding_deposits_sweep", "outstanding deposits sweep", "outstanding deposit(s) reported"),
]


def _as_worker(conn: psycopg.Connection, tenant_id=None) -> None:
    conn.execute(sql.SQL("set local role {}").format(sql.Identifier(WORKER_ROLE)))
    if tenant_id is not None:
        conn.execute(sql.SQL("set local pgpsa.tenant_id = {}").format(sql.Literal(str(tenant_id))))


def tenants(conn: psycopg.Connection) -> list:
    with conn.transaction():
        _as_worker(conn)
        return [row[0] for row in conn.execute("select api.worker_tenants()").fetchall()]


def run_once(conn: psycopg.Connection) -> int:
    """Every sweep for every tenant; returns how many (sweep, tenant) runs failed."""
    failed = 0
    totals = dict.fromkeys((function for function, _, _ in SWEEPS), 0)
    for tenant_id in tenants(conn):
        for function, name, _ in SWEEPS:
            try:
                with conn.transaction():
                    _as_worker(conn, tenant_id)
                    totals[function] += conn.execute(f"select {function}()").fetchone()[0]
            except (psycopg.OperationalError, psycopg.InterfaceError):
                raise  # the connection is gone: run_forever connects again
            except psycopg.Error as e:
                failed += 1
                click.echo(f"{name} failed for tenant {tenant_id}: {e.sqlstate} {e}", err=True)
    for function, name, what in SWEEPS:
        click.echo(f"{name}: {totals[function]} {what}")
    return failed


# While the database is away (a restart): wait this long before connecting again, doubling up to the most.
RECONNECT_FIRST, RECONNECT_MOST = 0.5, 2.0


def _connect() -> psycopg.Connection:
    return psycopg.connect(config.service_database_url(), autocommit=True, connect_timeout=5)


def run_forever(interval: float) -> None:
    """Runs every `interval` seconds; a lost connection (PostgreSQL restarting) is said in one line and made again,
    sooner than the next run if the database is back, so the worker outlives a restart without a supervisor."""
    wait = RECONNECT_FIRST
    while True:
        try:
            with _connect() as conn:
                while True:
                    run_once(conn)
                    wait = RECONNECT_FIRST
                    time.sleep(interval)
        except (psycopg.OperationalError, psycopg.InterfaceError) as e:
            reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            click.echo(f"worker: the database is not reachable ({reason}); trying again in {wait:g} s", err=True)
            time.sleep(wait)
            wait = min(wait * 2, RECONNECT_MOST)


@click.command()
@click.option("--once", is_flag=True, help="run every job once and exit")
@click.option("--interval", type=float, default=None, help="seconds between runs [PGPSA_WORKER_INTERVAL, 60]")
def worker(once: bool, interval: float | None):
    """Run the scheduled sweeps as the worker role, once or in a loop."""
    interval = interval if interval is not None else config.defaults()["WORKER_INTERVAL"]
    if once:
        with _connect() as conn:
            if run_once(conn):
                raise SystemExit(1)
        return
    run_forever(interval)
