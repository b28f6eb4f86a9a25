"""Project health for one tenant with 10,000 projects and 500,000 tasks, before and after other tenants add 10x more.

Run: make bench-health   (or DATABASE_URL=<a scratch database, migrated> .venv/bin/python bench/health.py)
It loads data straight into the tables (triggers off), measures `select * from api.project_health` as staff of
the tenant (median of several runs, all rows fetched), then loads the other tenants and measures again in the same
run, and prints both with their ratio and the plan. Sizes: PROJECTS, TASKS_PER_PROJECT, OTHER_TENANTS.
"""

import os
import statistics
import sys
import time

import psycopg
from psycopg import sql

PROJECTS = int(os.environ.get("PROJECTS", 10_000))
TASKS_PER_PROJECT = int(os.environ.get("TASKS_PER_PROJECT", 50))
OTHER_TENANTS = int(os.environ.get("OTHER_TENANTS", 10))
RUNS = 9

# One tenant's delivery data, shaped like a firm with history: a fifth of the projects open, the rest completed.
# Tasks of completed projects are done, due and last touched weeks ago. Tasks of open projects: 40 % done, the open
# ones mostly due ahead with one in eight overdue, touched in the last two weeks, except a tenth of open projects
# left untouched for 8 to 30 days (stale). The script prints how many tasks are overdue and recently updated.
LOAD = """
insert into app.projects (tenant_id, id, project_code, name, project_type, status, start_date, created_at)
select %(t)s, gen_random_uuid(), 'PRJ-' || lpad(g::text, 6, '0'), 'Project ' || g, 'banner',
       case when g %% 5 = 0 then 'active' else 'completed' end, current_date - 90, now() - interval '90 days'
from generate_series(1, %(projects)s) as g;
insert into app.stages (tenant_id, project_id, sequence, stage_code, name, sla_hours, status, started_at, due_at,
    completed_at)
select p.tenant_id, p.id, s, 'stage' || s, 'Stage ' || s, 48,
       case when p.status = 'completed' then 'completed' when s = 1 then 'active' else 'pending' end,
       case when p.status = 'completed' or s = 1 then now() - interval '30 days' end,
       case when p.status = 'completed' or s = 1 then now() + interval '1 day' end,
       case when p.status = 'completed' then now() - interval '20 days' end
from app.projects as p, generate_series(1, 2) as s where p.tenant_id = %(t)s;
insert into app.tasks (tenant_id, project_id, stage_id, sequence, title, status, due_date, updated_at)
select st.tenant_id, st.project_id, st.id, g, 'Task ' || g, x.status,
       case when x.status in ('todo', 'in_progress') and x.h %% 8 <> 0 then current_date + 1 + x.h %% 60
            when x.status in ('todo', 'in_progress') then current_date - 1 - x.h %% 10
            else current_date - 1 - x.h %% 90 end,
       case when p.status = 'completed' then now() - make_interval(days => 30 + x.h %% 60)
            when abs(hashtext(p.id::text)) %% 10 = 0 then now() - make_interval(days => 8 + x.h %% 22)
            else now() - make_interval(hours => x.h %% 336) end
from app.stages as st
join app.projects as p on p.tenant_id = st.tenant_id and p.id = st.project_id
cross join generate_series(1, %(per_stage)s) as g
cross join lateral (
    select h.h, case when p.status = 'completed' then 'completed'
                     else (array['completed', 'approved', 'todo', 'in_progress', 'todo'])[1 + h.h %% 5] end as status
    from (select abs(hashtext(st.id::text || g)) as h) as h
) as x
where st.tenant_id = %(t)s;
"""


def load_tenant(conn, slug):
    tenant = conn.execute("select internal.create_tenant(%s, %s)", (slug, slug)).fetchone()[0]
    params = {"t": tenant, "projects": PROJECTS, "per_stage": TASKS_PER_PROJECT // 2}
    for statement in LOAD.split(";\n"):
        if statement.strip():
            conn.execute(statement, params)
    return tenant


def measure(url, tenant, user):
    with psycopg.connect(url) as conn, conn.transaction():
        conn.execute(sql.SQL("set local pgpsa.tenant_id = {}").format(sql.Literal(str(tenant))))
        conn.execute(sql.SQL("set local pgpsa.user_id = {}").format(sql.Literal(str(user))))
        cache = conn.execute("select internal.permission_cache()").fetchone()[0]
        conn.execute(sql.SQL("set local pgpsa.permissions = {}").format(sql.Literal(cache)))
        conn.execute("set local role pgpsa_staff")
        runs, rows = [], 0
        for _ in range(RUNS):
            start = time.perf_counter()
            rows = len(conn.execute("select * from api.project_health").fetchall())
            runs.append((time.perf_counter() - start) * 1000)
        plan = conn.execute("explain (analyze, buffers) select * from api.project_health").fetchall()
    return statistics.median(runs), rows, "\n".join(r[0] for r in plan)


def main():
    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("set session_replication_role = replica")  # no audit rows, no activity log for bulk data
        started = time.perf_counter()
        tenant = load_tenant(conn, "bench-health")
        user = conn.execute(
            "select internal.create_user(%s, 'm@bench.test', 'Bench manager', 'manager', 'x')", (tenant,)
        ).fetchone()[0]
        conn.execute("vacuum analyze")  # as autovacuum would: visibility maps let the scans stay index-only
        print(f"loaded 1 tenant in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    alone, rows, _ = measure(url, tenant, user)

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("set session_replication_role = replica")
        started = time.perf_counter()
        for i in range(OTHER_TENANTS):
            load_tenant(conn, f"bench-other-{i}")
        conn.execute("vacuum analyze")
        print(f"loaded {OTHER_TENANTS} other tenants in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        shape = conn.execute(
            "select count(*) filter (where due_date < current_date and status in ('todo', 'in_progress')),"
            " count(*) filter (where updated_at > now() - interval '7 days') from app.tasks where tenant_id = %s",
            (tenant,),
        ).fetchone()
        totals = conn.execute("select (select count(*) from app.projects), (select count(*) from app.tasks)").fetchone()
    crowded, rows_after, plan = measure(url, tenant, user)

    print(f"tenant: {PROJECTS} projects, {PROJECTS * TASKS_PER_PROJECT} tasks; whole database: {totals[0]} projects, "
          f"{totals[1]} tasks")
    print(f"tenant's overdue open tasks: {shape[0]}, tasks updated in the last 7 days: {shape[1]}")
    print(f"health view, tenant alone             {alone:7.1f} ms  ({rows} rows)  1.00x")
    print(f"health view, with {OTHER_TENANTS} other tenants      {crowded:7.1f} ms  ({rows_after} rows)  "
          f"{crowded / alone:.2f}x")
    print(plan)


if __name__ == "__main__":
    main()
