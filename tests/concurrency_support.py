"""Two requests at once, made deterministic: the first one's change is left uncommitted while the second runs."""

import threading

import psycopg

from service.db import Identity, act_for


def as_manager(database_url, tenant) -> psycopg.Connection:
    """A connection as the service acting for the tenant's manager, in a transaction left open."""
    conn = psycopg.connect(database_url)
    conn.execute("set session authorization pgpsa_service")
    act_for(conn, "pgpsa_staff", Identity(str(tenant.id), str(tenant.users["manager"][0])), "race")
    return conn


def second_waits_for_first(database_url, tenant, first: tuple, second: tuple) -> str:
    """Runs the first statement and leaves it uncommitted; runs the second on another connection, which must wait
    (it does not finish within 1.5 s); commits the first. Returns how the second ended: "ok" or its SQLSTATE."""
    waiting = as_manager(database_url, tenant)
    waiting.execute(*first)
    ended: list[str] = []

    def run():
        with as_manager(database_url, tenant) as conn:
            try:
                conn.execute(*second)
                conn.commit()
                ended.append("ok")
            except psycopg.Error as e:
                ended.append(e.sqlstate)

    runner = threading.Thread(target=run)
    runner.start()
    runner.join(timeout=1.5)
    blocked = runner.is_alive()
    waiting.commit()
    waiting.close()
    runner.join(timeout=30)
    assert blocked, f"the second statement ran past the first's uncommitted change: {ended}"
    return ended[0]
