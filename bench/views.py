"""Reads that cost what they return: every api view a route reads by id or by parent, in a tenant of 100 projects
and in one of 10,000, as the tenant's manager, side by side in one run.

Run: make bench-views   (or DATABASE_URL=<a scratch database, migrated> .venv/bin/python bench/views.py)
The reads are the routes' own (service/api/routes.py): each Get's view by id, each embedded list and each listed
child by its parent's id. For each it prints the median milliseconds in both tenants and their ratio, the executor's
(EXPLAIN ANALYZE with per-node timing off: what the read costs the database) and the client's (the round trip,
which the machine's other load blurs more), and the plan, with its buffers, of any read whose executor ratio is over
LIMIT (1.2). Then, for information (no goal), the first page of 25 of each top-level list over PAGED, as the route
orders it: each reads an index in that order (migration 0024) and computes its derived columns for the page's rows
only (the page's total count, a separate query, still counts the tenant's rows).
Sizes: SMALL, LARGE (projects), TASKS_PER_PROJECT, TIME_PER_TASK, RUNS.
"""

import os
import statistics
import sys
import time

import psycopg
from psycopg import sql
from tenant_data import load_tenant

from service.api.routes import ROUTES
from service.db import Identity, act_for

SMALL = int(os.environ.get("SMALL", 100))
LARGE = int(os.environ.get("LARGE", 10_000))
RUNS = int(os.environ.get("RUNS", 200))
LIMIT = 1.2
SAMPLES = 20
PAGE = 25
PAGED = ("projects", "tasks", "invoices", "orders", "quotes", "payments", "leads")


def reads() -> list[tuple[str, str]]:
    """(view, column) for every read a route makes by id or by a parent's id, once each."""
    found = {}
    for r in ROUTES:
        if r.read is None or r.read.single:
            continue
        if r.method == "GET" and not r.paged and r.handler is None:
            found[(r.read.view, "id")] = None
            for e in r.read.embeds.values():
                found[(e.view, e.key)] = None
        if r.paged and r.params:
            found[(r.read.view, r.params[-1])] = None
    return list(found)


def pages() -> list[tuple[str, str]]:
    """(view, order) of the first page of each top-level list of a view in PAGED."""
    return [(r.read.view, r.order) for r in ROUTES if r.paged and not r.params and r.read.view in PAGED]


def as_manager(conn, tenant: str, user: str) -> None:
    """The request's context, as the service sets it."""
    act_for(conn, "pgpsa_staff", Identity(tenant, user), "bench-views")


def samples(conn, view: str, column: str) -> list:
    query = sql.SQL("select distinct {c} from (select {c} from {v} where {c} is not null limit 200) as s limit {n}")
    query = query.format(c=sql.Identifier(column), v=sql.Identifier("api", view), n=SAMPLES)
    rows = conn.execute(query).fetchall()
    return [r[0] for r in rows]


def timed(conn, name: str, value) -> tuple[float, float]:
    """One read of the prepared statement: (milliseconds on the client, the round trip; the executor's own time, as
    EXPLAIN ANALYZE reports it with its per-node timing off)."""
    args = sql.SQL("({})").format(sql.Literal(value)) if value is not None else sql.SQL("")
    run = sql.SQL("execute {}{}").format(sql.Identifier(name), args)
    start = time.perf_counter()
    conn.execute(run).fetchall()
    client = (time.perf_counter() - start) * 1000
    plan = conn.execute(sql.SQL("explain (analyze, timing off, costs off, summary on) {}").format(run)).fetchall()
    return client, next(float(r[0].split()[2]) for r in plan if r[0].startswith("Execution Time"))


def side_by_side(conns, name: str, query, values, runs: int) -> list[tuple[float, float]]:
    """Per connection, the median (client, executor) milliseconds of the query prepared as `name`, taking turns run by
    run so both see the same load."""
    for conn, vs in zip(conns, values, strict=True):
        conn.execute(sql.SQL("prepare {} as {}").format(sql.Identifier(name), query))
        for v in vs[:6]:  # warm: the pages cached, the plan settled (generic or custom) as the service's would be
            timed(conn, name, v)
    figures: list[list[tuple[float, float]]] = [[] for _ in conns]
    for i in range(runs):
        for n, (conn, vs) in enumerate(zip(conns, values, strict=True)):
            figures[n].append(timed(conn, name, vs[i % len(vs)]))
    return [(statistics.median(c for c, _ in f), statistics.median(e for _, e in f)) for f in figures]


def plan(conn, name: str, value) -> str:
    run = sql.SQL("execute {}({})").format(sql.Identifier(name), sql.Literal(value))
    rows = conn.execute(sql.SQL("explain (analyze, buffers, costs off) {}").format(run)).fetchall()
    return "\n".join(r[0] for r in rows)


def row(name: str, figures, width: int = 44) -> tuple[str, float]:
    (small_client, small_exec), (large_client, large_exec) = figures
    ratio = large_exec / small_exec
    return (f"{name:<{width}} {small_exec:7.3f}ms {large_exec:7.3f}ms {ratio:5.2f}x   "
            f"{small_client:7.3f}ms {large_client:7.3f}ms {large_client / small_client:5.2f}x"), ratio


def main():
    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url, autocommit=True) as conn:
        started = time.perf_counter()
        run = os.getpid()  # slugs of their own, so the bench runs again on the same database
        tenants = [load_tenant(conn, f"bench-views-{size}-{run}", n) for size, n in (("small", SMALL), ("big", LARGE))]
        conn.execute("vacuum analyze")
        took = time.perf_counter() - started
        print(f"loaded tenants of {SMALL} and {LARGE} projects in {took:.0f} s", file=sys.stderr)

    results, paged, load = [], [], []
    with psycopg.connect(url) as small, psycopg.connect(url) as large:
        conns = (small, large)
        for conn, (tenant, user) in zip(conns, tenants, strict=True):
            conn.execute("set session authorization pgpsa_service")
            as_manager(conn, tenant, user)  # one transaction each, left open: only reads run in it
        for n, (view, column) in enumerate(reads()):
            query = sql.SQL("select * from {} where {} = $1")
            query = query.format(sql.Identifier("api", view), sql.Identifier(column))
            values = [samples(conn, view, column) for conn in conns]
            if not all(values):
                results.append((view, column, [], ""))
                continue
            load.append(os.getloadavg()[0])
            figures = side_by_side(conns, f"read_{n}", query, values, RUNS)
            results.append((view, column, figures, plan(large, f"read_{n}", values[1][0])))
        for n, (view, order) in enumerate(pages()):
            query = sql.SQL("select * from {} order by {} limit {}").format(
                sql.Identifier("api", view), sql.SQL(order), sql.Literal(PAGE))
            paged.append((view, order, side_by_side(conns, f"page_{n}", query, [[None]] * 2, max(RUNS // 20, 3))))

    print(f"tenants of {SMALL} and {LARGE} projects; median of {RUNS} reads each, taking turns; "
          f"load average {min(load, default=0):.1f} to {max(load, default=0):.1f}")
    print(f"{'':<44} {'executor (EXPLAIN ANALYZE)':^28}   {'client (the round trip)':^28}")
    print(f"{'read':<44} {SMALL:>9} {LARGE:>9} {'ratio':>6}   {SMALL:>9} {LARGE:>9} {'ratio':>6}")
    over = []
    for view, column, figures, text in results:
        name = f"api.{view} by {column}"
        if not figures:
            print(f"{name:<44} (no rows in the bench data)")
            continue
        line, ratio = row(name, figures)
        print(line + ("  over" if ratio > LIMIT else ""))
        if ratio > LIMIT:
            over.append((name, text))
    worst = max((row("", f)[1] for _, _, f, _ in results if f), default=0)
    verdict = "met" if worst <= LIMIT else "not met"
    print(f"goal: every read's executor ratio {LIMIT}x or less: worst {worst:.2f}x ({verdict})")
    print(f"\nfirst page of {PAGE} as the route orders it (for information: read in an index in that order, 0024)")
    for view, order, figures in paged:
        print(row(f"api.{view} order by {order}", figures, 70)[0])
    for name, text in over:
        print(f"\n{name}, {LARGE} projects:\n{text}")


if __name__ == "__main__":
    main()
