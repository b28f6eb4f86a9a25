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


def run_once(conn: psycopg.Connection) -> None:
    marked = sla_sweep(conn)
    click.echo(f"sla sweep: {marked} stage(s) marked overdue and escalated")


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
