"""`pgpsa worker`: scheduled database work. For now the SLA sweep (event delivery comes in a later issue)."""

import time

import click
import psycopg

from service import config


def sla_sweep(conn: psycopg.Connection) -> int:
    """Marks active stages past due as overdue, recording each escalation once; returns how many it marked.
    Runs on the admin connection: the function visits every tenant, setting each one's context itself."""
    with conn.transaction():
        return conn.execute("select api.sla_sweep()").fetchone()[0]


# Sales sweeps (seed 003 §5.1), idempotent like the SLA sweep: (SQL function, what its count means).
SALES_SWEEPS = [
    ("api.quote_expiry_sweep", "quote(s) expired or reminded"),
    ("api.outstanding_deposits_sweep", "outstanding deposit(s) reported"),
]


def run_once(conn: psycopg.Connection) -> None:
    marked = sla_sweep(conn)
    click.echo(f"sla sweep: {marked} stage(s) marked overdue and escalated")
    for function, what in SALES_SWEEPS:
        with conn.transaction():
            n = conn.execute(f"select {function}()").fetchone()[0]
        click.echo(f"{function}: {n} {what}")


@click.command()
@click.option("--once", is_flag=True, help="run every job once and exit")
@click.option("--interval", type=float, default=None, help="seconds between runs [PGPSA_WORKER_INTERVAL, 60]")
def worker(once: bool, interval: float | None):
    """Run the scheduled sweeps on the admin connection, once or in a loop."""
    interval = interval if interval is not None else config.defaults()["WORKER_INTERVAL"]
    with psycopg.connect(config.admin_database_url(), autocommit=True) as conn:
        if once:
            run_once(conn)
            return
        while True:
            try:
                run_once(conn)
            except psycopg.OperationalError:
                raise  # the connection is gone; let a supervisor restart the worker
            except psycopg.Error as e:
                # One failed sweep must not stop the schedule; the next run tries again.
                click.echo(f"sla sweep failed: {e.sqlstate} {e}", err=True)
            time.sleep(interval)
