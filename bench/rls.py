"""What row-level security costs a scan: a staff read of N clients through the api door against the same scan with
RLS bypassed (the superuser, the tenant as a literal), side by side in one run; everything is rolled back.

Run: make bench-rls   (or DATABASE_URL=<a scratch database, migrated> .venv/bin/python bench/rls.py [N])
Both sides name the tenant, as the service's reads do. Two layouts: the tenant alone in app.clients (both sides
scan the table; the named tenant is the one per-row test, the policies' tests a one-time filter) and the tenant among
OTHER_TENANTS tenants of the same size (both sides read the tenant's rows through the primary key). Also printed: a
read that does not name the tenant (psql, a BI tool), where the policies' tenant test runs once a row in the lone
tenant's scan. Parallel query is off on both sides, so the figures compare one process's work. Sizes: N (or CLIENTS),
OTHER_TENANTS, RUNS.
"""

import os
import statistics
import sys
import time

import psycopg
from psycopg import sql

from service.db import Identity, act_for

N = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("CLIENTS", 50_000))
OTHER_TENANTS = int(os.environ.get("OTHER_TENANTS", 9))
RUNS = int(os.environ.get("RUNS", 21))
LIMIT = 1.5
# The door's view of the table, made and dropped in the benchmark's transaction: what an api view over app.clients
# costs, without api.clients' own work (its tax-id join).
DOOR_VIEW = "create view api.bench_rls_clients as select tenant_id, id, account_code, name, channel from app.clients"
QUERY = "select count(name) from {}"


def once(conn, query) -> float:
    start = time.perf_counter()
    conn.execute(query).fetchone()
    return (time.perf_counter() - start) * 1000


def plan(conn, query) -> str:
    return "\n".join(r[0] for r in conn.execute(sql.SQL("explain (analyze, costs off) {}").format(query)))


def load(conn, tenant) -> None:
    conn.execute(
        "insert into app.clients (tenant_id, account_code, name, channel) "
        "select %s, 'B' || g, 'Client ' || g, 'retail' from generate_series(1, %s) as g",
        (tenant, N),
    )


def measure(conn, tenant, user) -> dict:
    """Median milliseconds: bypassed; staff as the service reads (its context, the tenant named:
    service.api.surface._for_tenant); staff not naming the tenant (an ad-hoc read at psql or from a BI tool); the
    service's read without the permission cache. The four take turns, run after run, so the machine's other load
    falls on each alike (one after the other, one run's figures moved by up to 1.7x)."""
    named = QUERY + " where tenant_id = {}"
    reads = {
        "bypassed": sql.SQL(named).format(sql.Identifier("app", "clients"), sql.Literal(tenant)),
        "staff": sql.SQL(named).format(sql.Identifier("api", "bench_rls_clients"), sql.Literal(tenant)),
        "unnamed": sql.SQL(QUERY).format(sql.Identifier("api", "bench_rls_clients")),
    }
    reads["no cache"] = reads["staff"]
    times: dict[str, list[float]] = {name: [] for name in reads}
    for run in range(RUNS + 1):  # the first run warms the caches and is left out
        for name, query in reads.items():
            if name == "bypassed":
                conn.execute("reset role")
                conn.execute("reset session authorization")
            else:
                conn.execute("set local session authorization pgpsa_service")
                act_for(conn, "pgpsa_staff", Identity(tenant, str(user)), "bench-rls")
                if name == "no cache":
                    conn.execute("select set_config('pgpsa.permissions', '', true)")
            took = once(conn, query)
            if run:
                times[name].append(took)
    act_for(conn, "pgpsa_staff", Identity(tenant, str(user)), "bench-rls")
    figures = {name: statistics.median(t) for name, t in times.items()}
    figures["plan"] = plan(conn, reads["staff"])
    conn.execute("reset role")
    conn.execute("reset session authorization")
    return figures


def main():
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn, conn.transaction(force_rollback=True):
        conn.execute("set local max_parallel_workers_per_gather = 0")
        conn.execute("set local session_replication_role = replica")  # no audit rows for bulk data
        tenant = str(conn.execute("select internal.create_tenant('bench-rls', 'Bench')").fetchone()[0])
        user = conn.execute(
            "select internal.create_user(%s, 'm@bench.test', 'M', 'manager', 'x')", (tenant,)
        ).fetchone()[0]
        load(conn, tenant)
        conn.execute(DOOR_VIEW)
        conn.execute("alter view api.bench_rls_clients owner to pgpsa_door_api")
        conn.execute("grant select on api.bench_rls_clients to pgpsa_staff")
        conn.execute("analyze app.clients")
        alone = measure(conn, tenant, user)
        for i in range(OTHER_TENANTS):
            other = conn.execute("select internal.create_tenant(%s, 'Other')", (f"bench-rls-{i}",)).fetchone()[0]
            load(conn, other)
        conn.execute("analyze app.clients")
        among = measure(conn, tenant, user)
        load_average = os.getloadavg()[0]

    print(f"clients scanned: {N} of one tenant; load average {load_average:.1f}")
    for name, f in (("alone in the table", alone), (f"among {OTHER_TENANTS} other tenants", among)):
        print(f"\ntenant {name}:")
        print(f"  superuser, no RLS (baseline)        {f['bypassed']:8.2f} ms  1.00x")
        ratio = f["staff"] / f["bypassed"]
        verdict = "ok" if ratio <= LIMIT else f"over {LIMIT}x"
        print(f"  staff as the service reads          {f['staff']:8.2f} ms  {ratio:.2f}x  ({verdict})")
        print(f"  staff, tenant not named (ad hoc)    {f['unnamed']:8.2f} ms  {f['unnamed'] / f['bypassed']:.2f}x")
        print(f"  staff, no cache (table lookups)     {f['no cache']:8.2f} ms  {f['no cache'] / f['bypassed']:.2f}x")
    for name, f in (("alone", alone), ("among others", among)):
        print(f"\nthe service's plan, tenant {name}:\n{f['plan']}")


if __name__ == "__main__":
    main()
