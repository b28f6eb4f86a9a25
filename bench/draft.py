"""A draft invoice from a project's delivered work: api.generate_invoice_draft (set-based SQL) against the loop an
ORM would run over the same rows (read the task, sum its time, insert a line, claim the task: a query each).

Run: make bench-draft   (or DATABASE_URL=<a scratch database, migrated> .venv/bin/python bench/draft.py)
One project with TASKS eligible tasks (a third each fixed, milestone and hourly), TIME_ENTRIES time entries on the
hourly ones and a few hundred tasks that are not billable yet. Each run is one transaction, rolled back, so both
ways see the same data; both run as the owner under the tenant's RLS (the function is security definer, so that is
how it runs too) over the same TCP connection. Prints the median of each in ms and the ratio, three ways: as in
production; without the history triggers (audit and task activity); without any trigger or foreign key check. The
last two are diagnostics: they show how much of the gap is the database's own work and how much is round trips.
"""

import os
import statistics
import sys
import time

import psycopg
from psycopg import sql

TASKS = int(os.environ.get("TASKS", 2_000))
TIME_ENTRIES = int(os.environ.get("TIME_ENTRIES", 20_000))
SQL_RUNS, LOOP_RUNS = 7, 3

LOAD = """
insert into app.stages (tenant_id, project_id, sequence, stage_code, name, sla_hours, status, started_at, due_at)
values (%(t)s, %(p)s, 1, 'work', 'Work', 48, 'active', now(), now() + interval '48 hours');
insert into app.tasks (tenant_id, project_id, stage_id, sequence, title, kind, status, billing_type, fixed_amount,
    hourly_rate)
select %(t)s, %(p)s, s.id, g, 'Task ' || g,
       case when g %% 3 = 1 then 'approval' else 'task' end,
       case when g > %(tasks)s then 'in_progress' when g %% 3 = 1 then 'approved' else 'completed' end,
       (array['hourly', 'milestone', 'fixed'])[1 + g %% 3],
       case when g %% 3 <> 0 then 50 + g %% 400 end,
       case when g %% 3 = 0 then 60 + g %% 90 end
from app.stages as s, generate_series(1, %(tasks)s + %(not_yet)s) as g
where s.tenant_id = %(t)s and s.project_id = %(p)s;
insert into app.time_entries (tenant_id, task_id, user_id, work_date, hours)
select t.tenant_id, t.id, %(u)s, current_date - e.n %% 30, 0.25 * (1 + e.n %% 16)
from (
    select id, tenant_id, row_number() over (order by id) - 1 as k, count(*) over () as n_hourly
    from app.tasks where tenant_id = %(t)s and project_id = %(p)s and billing_type = 'hourly'
) as t
join generate_series(0, %(entries)s - 1) as e (n) on e.n %% t.n_hourly = t.k;
"""

DONE = ("completed", "approved", "client_approved")
ELIGIBLE = {"fixed": DONE, "hourly": DONE, "milestone": ("approved", "client_approved")}


def load(conn):
    tenant = conn.execute("select internal.create_tenant('bench-draft', 'Bench draft')").fetchone()[0]
    user = conn.execute(
        "select internal.create_user(%s, 'm@bench.test', 'Bench manager', 'manager', 'x')", [tenant]
    ).fetchone()[0]
    client = conn.execute(
        "insert into app.clients (tenant_id, account_code, name, channel) values (%s, 'BENCH', 'Bench client', 'trade')"
        " returning id", [tenant]
    ).fetchone()[0]
    project = conn.execute(
        "insert into app.projects (tenant_id, project_code, name, project_type, client_id, status)"
        " values (%s, 'PRJ-000001', 'Big job', 'banner', %s, 'active') returning id", [tenant, client]
    ).fetchone()[0]
    params = {"t": tenant, "p": project, "u": user, "tasks": TASKS, "not_yet": TASKS // 5, "entries": TIME_ENTRIES}
    for statement in LOAD.split(";\n"):
        if statement.strip():
            conn.execute(statement, params)
    return tenant, user, client, project


# The history a task claim and a new line leave: their audit rows and the task activity log.
HISTORY_TRIGGERS = (
    ("app.tasks", "trg_tasks_900_audit_update"),
    ("app.tasks", "trg_tasks_800_activity_update"),
    ("app.invoice_lines", "trg_invoice_lines_900_audit_insert"),
)
MODES = (
    ("as in production", "all"),
    ("without the history triggers (diagnostic)", "no-history"),
    ("without any trigger or foreign key check (diagnostic)", "none"),
)


def as_owner_of(conn, tenant, user, triggers="all"):
    # Diagnostics only, undone by the rollback that ends every run.
    if triggers == "no-history":
        for table, trigger in HISTORY_TRIGGERS:
            conn.execute(sql.SQL("alter table {} disable trigger {}").format(
                sql.SQL(table), sql.Identifier(trigger)))
    elif triggers == "none":
        conn.execute("set local session_replication_role = replica")
    for name, value in (("pgpsa.tenant_id", tenant), ("pgpsa.user_id", user)):
        conn.execute(sql.SQL("set local {} = {}").format(sql.SQL(name), sql.Literal(str(value))))
    conn.execute("set local role pgpsa_owner")


def invoice_summary(conn, invoice):
    return conn.execute(
        "select count(*), sum(line_total) from app.invoice_lines where invoice_id = %s", [invoice]
    ).fetchone()


def by_sql(conn, tenant, user, client, project, triggers="all"):
    with conn.transaction(force_rollback=True):
        as_owner_of(conn, tenant, user, triggers)
        start = time.perf_counter()
        invoice = conn.execute("select api.generate_invoice_draft(%s)", [project]).fetchone()[0]
        elapsed = (time.perf_counter() - start) * 1000
        return elapsed, invoice_summary(conn, invoice)


def by_loop(conn, tenant, user, client, project, triggers="all"):
    """What an ORM does: the candidate tasks, then per task a read, a sum of its time, a line and the claim."""
    with conn.transaction(force_rollback=True):
        as_owner_of(conn, tenant, user, triggers)
        start = time.perf_counter()
        invoice = conn.execute(
            "insert into app.invoices (tenant_id, client_id, project_id, kind, created_by)"
            " values (%s, %s, %s, 'progress', %s) returning id", [tenant, client, project, user]
        ).fetchone()[0]
        ids = conn.execute(
            "select id from app.tasks where tenant_id = %s and project_id = %s and invoice_id is null"
            " order by sequence", [tenant, project]
        ).fetchall()
        sequence, queries = 0, 2 + len(ids)
        for (task_id,) in ids:
            t = conn.execute(
                "select title, kind, status, billing_type, fixed_amount, hourly_rate from app.tasks"
                " where tenant_id = %s and id = %s", [tenant, task_id]
            ).fetchone()
            title, kind, status, billing, fixed, rate = t
            if status not in ELIGIBLE.get(billing, ()) or (billing == "milestone" and kind != "approval"):
                continue
            quantity, price = 1, fixed
            if billing == "hourly":
                quantity = conn.execute(
                    "select sum(hours) from app.time_entries where tenant_id = %s and task_id = %s", [tenant, task_id]
                ).fetchone()[0]
                price, queries = rate, queries + 1
                if not quantity:
                    continue
            sequence, queries = sequence + 1, queries + 2
            conn.execute(
                "insert into app.invoice_lines (tenant_id, invoice_id, sequence, description, quantity, unit_price,"
                " source_type, task_id) values (%s, %s, %s, %s, %s, %s, 'task', %s)",
                [tenant, invoice, sequence, title, quantity, price, task_id],
            )
            conn.execute(
                "update app.tasks set invoice_id = %s where tenant_id = %s and id = %s", [invoice, tenant, task_id]
            )
        elapsed = (time.perf_counter() - start) * 1000
        by_loop.queries = queries
        return elapsed, invoice_summary(conn, invoice)


def round_trip_us(conn) -> float:
    runs = []
    for _ in range(1000):
        start = time.perf_counter()
        conn.execute("select 1").fetchone()
        runs.append((time.perf_counter() - start) * 1e6)
    return statistics.median(runs)


def main():
    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("set session_replication_role = replica")  # bulk load: no audit rows
        started = time.perf_counter()
        ids = load(conn)
        conn.execute("vacuum analyze")
        shape = conn.execute(
            "select count(*) filter (where status <> 'in_progress'), count(*) from app.tasks where tenant_id = %s",
            [ids[0]],
        ).fetchone()
        entries = conn.execute("select count(*) from app.time_entries where tenant_id = %s", [ids[0]]).fetchone()[0]
        print(f"loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    print(f"project: {shape[1]} tasks ({shape[0]} eligible), {entries} time entries")
    with psycopg.connect(url) as conn:
        figures = {}
        for label, triggers in MODES:
            sql_runs = [by_sql(conn, *ids, triggers) for _ in range(SQL_RUNS)]
            loop_runs = [by_loop(conn, *ids, triggers) for _ in range(LOOP_RUNS)]
            assert {s for _, s in sql_runs} == {s for _, s in loop_runs}, (sql_runs[0][1], loop_runs[0][1])
            set_based = statistics.median(ms for ms, _ in sql_runs)
            loop = statistics.median(ms for ms, _ in loop_runs)
            figures[triggers] = set_based, loop
            lines, total = sql_runs[0][1]
            print(f"{label}: draft of {lines} lines, {total}")
            print(f"  api.generate_invoice_draft (set-based)   {set_based:8.1f} ms   1.0x")
            print(f"  loop, one query per task (ORM-style)     {loop:8.1f} ms   {loop / set_based:.1f}x slower")
        rtt, queries = round_trip_us(conn), by_loop.queries
        set_based, loop = figures["all"]
        # Each of the loop's queries pays one more round trip; the set-based call pays one in all.
        break_even = rtt + (20 * set_based - loop) * 1000 / queries
        print(f"the loop sent {queries} queries; a round trip on this connection takes {rtt:.0f} us")
        print(f"arithmetic, not measured: the loop is 20x slower than the set-based call (as in production) once a"
              f" round trip takes {break_even:.0f} us or more, i.e. with the service and the database on two hosts")


if __name__ == "__main__":
    main()
