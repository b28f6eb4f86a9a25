"""Reads that cost what they return: every api view a route reads by id or by parent, in a tenant of 100 projects
and in one of 10,000, as the tenant's manager, side by side in one run.

Run: make bench-views   (or DATABASE_URL=<a scratch database, migrated> .venv/bin/python bench/views.py)
The reads are the routes' own (service/api/routes.py): each Get's view by id, each embedded list and each listed
child by its parent's id. For each it prints the milliseconds in both tenants (each sampled row's median, averaged
over the rows) and their ratio, the executor's (EXPLAIN ANALYZE with per-node timing off: what the read costs the
database) and the client's (the round trip, which the machine's other load blurs more), and the plan, with its
buffers, of any read whose executor ratio is over LIMIT (1.2). Both tenants are read on one connection, switching
read by read. Then, for information (no goal), the first page of 25 of each top-level list over PAGED, as the route
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

from service import config
from service.api.routes import ROUTES
from service.db import act_for

SMALL = int(os.environ.get("SMALL", 100))
LARGE = int(os.environ.get("LARGE", 10_000))
RUNS = int(os.environ.get("RUNS", 320))
LIMIT = 1.2
SAMPLES = 40
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
    """The request's context, as the service sets it: the tenant, its manager and the manager's permission cache
    (api.begin_request). Run again in the same transaction, it switches the connection to another tenant's manager:
    the service's login may say who it acts for, whatever role it has become."""
    conn.execute("select set_config('pgpsa.tenant_id', %s, true), set_config('pgpsa.user_id', %s, true)",
                 [tenant, user])
    conn.execute("select api.begin_request()")


def samples(conn, tenant, view: str, column: str) -> list:
    as_manager(conn, *tenant)
    query = sql.SQL("select distinct {c} from (select {c} from {v} where {c} is not null limit 200) as s limit {n}")
    query = query.format(c=sql.Identifier(column), v=sql.Identifier("api", view), n=SAMPLES)
    rows = conn.execute(query).fetchall()
    return [r[0] for r in rows]


def timed(conn, name: str, value, tenant: str) -> tuple[float, float]:
    """One read of the prepared statement (by a value and the tenant, or a page: no parameter): (milliseconds on the
    client, the round trip; the executor's own time, as EXPLAIN ANALYZE reports it with its per-node timing off)."""
    args = sql.SQL("({}, {})").format(sql.Literal(value), sql.Literal(tenant)) if value is not None else sql.SQL("")
    run = sql.SQL("execute {}{}").format(sql.Identifier(name), args)
    start = time.perf_counter()
    conn.execute(run).fetchall()
    client = (time.perf_counter() - start) * 1000
    plan = conn.execute(sql.SQL("explain (analyze, timing off, costs off, summary on) {}").format(run)).fetchall()
    return client, next(float(r[0].split()[2]) for r in plan if r[0].startswith("Execution Time"))


def side_by_side(conn, tenants, name: str, query, values, runs: int, per_tenant=False) -> list[tuple[float, float]]:
    """Per tenant, the (client, executor) milliseconds of the query prepared as `name`: each sample value's median
    over its reads, averaged over the values. One connection reads for both tenants, switching between them read by
    read (the order swapped every run): the same backend, plan, caches and core for both, so what differs is the
    tenant. (Two connections, one a tenant, differed by up to 1.6x either way from run to run with the same plans and
    buffers.) Averaged over the values, not one median over all reads: one row can cost a steady 0.3 ms and its
    neighbour 0.5 ms with the same plan and buffers, in either tenant, so a median over all reads lands on either
    figure by which rows the sample drew. per_tenant: the query is made for each tenant (it names its tenant) and
    prepared for each, as the service prepares a page (service/api/surface.py, _for_tenant); otherwise one statement for
    both, the first tenant's first, which takes the tenant as its second parameter as the service's reads do."""
    names = [f"{name}_{n}" if per_tenant else name for n in range(len(tenants))]
    for statement, tenant in dict(zip(names, tenants, strict=True)).items():
        made = query(tenant[0]) if per_tenant else query
        conn.execute(sql.SQL("prepare {} as {}").format(sql.Identifier(statement), made))
    for tenant, statement, vs in zip(tenants, names, values, strict=True):
        as_manager(conn, *tenant)
        for v in vs[:6]:  # warm: the pages cached, the plan settled (generic or custom) as the service's would be
            timed(conn, statement, v, tenant[0])
    figures: list[dict] = [{} for _ in tenants]
    for i in range(runs):
        for n in range(len(tenants)) if i % 2 == 0 else reversed(range(len(tenants))):
            v = values[n][i % len(values[n])]
            as_manager(conn, *tenants[n])
            figures[n].setdefault(v, []).append(timed(conn, names[n], v, tenants[n][0]))
    return [
        tuple(statistics.fmean(statistics.median(r[k] for r in reads) for reads in f.values()) for k in (0, 1))
        for f in figures
    ]


def plan(conn, name: str, value, tenant: str) -> str:
    run = sql.SQL("execute {}({}, {})").format(sql.Identifier(name), sql.Literal(value), sql.Literal(tenant))
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
    with psycopg.connect(url) as conn:
        # Planned as the service's connections plan (service.db): by default one generic plan a statement, made when
        # it is first prepared (here, for the small tenant) and kept for every tenant after it.
        conn.execute(sql.SQL("set plan_cache_mode = {}").format(sql.Literal(config.defaults()["PLAN_CACHE_MODE"])))
        conn.execute("set session authorization pgpsa_service")
        act_for(conn, "pgpsa_staff", request_id="bench-views")  # one transaction, left open: only reads run in it
        for n, (view, column) in enumerate(reads()):
            query = sql.SQL("select * from {} where {} = $1 and tenant_id = $2")
            query = query.format(sql.Identifier("api", view), sql.Identifier(column))
            values = [samples(conn, tenant, view, column) for tenant in tenants]
            if not all(values):
                results.append((view, column, [], ""))
                continue
            load.append(os.getloadavg()[0])
            figures = side_by_side(conn, tenants, f"read_{n}", query, values, RUNS)
            as_manager(conn, *tenants[1])
            results.append((view, column, figures, plan(conn, f"read_{n}", values[1][0], tenants[1][0])))
        for n, (view, order) in enumerate(pages()):
            def query(tenant, view=view, order=order):
                return sql.SQL("select * from {} where tenant_id = {} order by {} limit {}").format(
                    sql.Identifier("api", view), sql.Literal(tenant), sql.SQL(order), sql.Literal(PAGE))
            paged.append((view, order, side_by_side(conn, tenants, f"page_{n}", query, [[None]] * 2,
                                                    max(RUNS // 20, 3), per_tenant=True)))

    print(f"tenants of {SMALL} and {LARGE} projects; {RUNS} reads a side, taking turns, over up to {SAMPLES} rows: "
          "each row's median, averaged over the rows; "
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
    print(f"\nfirst page of {PAGE} as the route orders it, prepared for each tenant as the service prepares a page "
          "(for information: read in an index in that order, 0024)")
    for view, order, figures in paged:
        print(row(f"api.{view} order by {order}", figures, 70)[0])
    for name, text in over:
        print(f"\n{name}, {LARGE} projects:\n{text}")


if __name__ == "__main__":
    main()
