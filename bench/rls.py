"""What row-level security costs a scan: staff reads of N clients against the same scan with RLS bypassed.

Run: make bench-rls   (or DATABASE_URL=... .venv/bin/python bench/rls.py [N]; N also from CLIENTS)
Prints milliseconds and ratios against the baseline measured in the same run; everything is rolled back.
"""

import os
import statistics
import sys
import time

import psycopg
from psycopg import sql

N = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("CLIENTS", 50_000))
QUERY = "select count(name) from app.clients"
STAFF_QUERY = "select count(name) from api.clients"


def timed(conn, query, repeat=7):
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        conn.execute(query).fetchone()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def main():
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn, conn.transaction(force_rollback=True):
        tenant = conn.execute("select internal.create_tenant('bench-rls', 'Bench')").fetchone()[0]
        user = conn.execute(
            "select internal.create_user(%s, 'm@bench.test', 'M', 'manager', 'x')", (tenant,)
        ).fetchone()[0]
        conn.execute("alter table app.clients disable trigger trg_clients_900_audit_insert")
        conn.execute(
            "insert into app.clients (tenant_id, account_code, name, channel) "
            "select %s, 'B' || g, 'Client ' || g, 'retail' from generate_series(1, %s) as g",
            (tenant, N),
        )
        conn.execute("analyze app.clients")
        baseline = timed(conn, sql.SQL(QUERY + " where tenant_id = {}").format(sql.Literal(str(tenant))))

        conn.execute(sql.SQL("set local pgpsa.tenant_id = {}").format(sql.Literal(str(tenant))))
        conn.execute(sql.SQL("set local pgpsa.user_id = {}").format(sql.Literal(str(user))))
        cache = conn.execute("select internal.permission_cache()").fetchone()[0]
        # As the service runs a request: its login, then the staff role, reading through the api door (a request
        # role may not name app since 0012).
        conn.execute("set local session authorization pgpsa_service")
        conn.execute("set local role pgpsa_staff")
        no_cache = timed(conn, STAFF_QUERY)
        conn.execute(sql.SQL("set local pgpsa.permissions = {}").format(sql.Literal(cache)))
        cached = timed(conn, STAFF_QUERY)
        conn.execute("reset role")
        conn.execute("reset session authorization")

    print(f"clients scanned: {N}")
    print(f"superuser, no RLS (baseline)     {baseline:8.1f} ms  1.0x")
    print(f"staff, permission cache set      {cached:8.1f} ms  {cached / baseline:.1f}x")
    print(f"staff, no cache (table lookups)  {no_cache:8.1f} ms  {no_cache / baseline:.1f}x")


if __name__ == "__main__":
    main()
