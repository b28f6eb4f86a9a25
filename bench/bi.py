"""Every bi view for one tenant (10,000 projects, 500,000 tasks, 200,000 time entries, 50,000 invoices), alone in
a database of its own and beside OTHER_TENANTS tenants as big in this one, read as the tenant's BI login as a BI
tool reads them, each read in one database followed by the same read in the other.

Run: make bench-bi   (or DATABASE_URL=<a scratch database, migrated> .venv/bin/python bench/bi.py)
Data goes straight into the tables, set-based (generate_series), as the superuser with triggers off (as
bench/health.py loads it: no audit rows, no activity log); ids are md5s of the tenant and a row number, so rows can
point at each other without lookups. Each view is read in full RUNS times through one connection of a BI login
(bi_<tenant>_bench) per database (both vacuumed and analyzed, as autovacuum would), a read alone followed by the
same read beside the others, so the machine's other work weighs on both alike; the medians are printed with their
ratio; the goals are under 200 ms and at most 1.2x. Reads run without parallel
workers, and beside the wall clock the server process's own CPU time is printed (from /proc, when the server runs on
this machine): on a machine shared with other work the wall clock also counts waiting for a core. EXPLAIN=1 also
prints each view's plan (EXPLAIN ANALYZE, BUFFERS) in the crowded database; VERBOSE=1 times each loading step.
Sizes: PROJECTS, TASKS, TIME_ENTRIES, INVOICES (unset, 50, 20 and 5 per project), OTHER_TENANTS, RUNS (pairs of
reads at least; a quick view is read in pairs until READ_SECONDS, 2, have gone by, 200 pairs at most).
"""

import os
import statistics
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.types.numeric import Int4

PROJECTS = int(os.environ.get("PROJECTS", 10_000))
TASKS = int(os.environ.get("TASKS", 50 * PROJECTS))  # unset, the others keep the proportions
TIME_ENTRIES = int(os.environ.get("TIME_ENTRIES", 20 * PROJECTS))
INVOICES = int(os.environ.get("INVOICES", 5 * PROJECTS))
OTHER_TENANTS = int(os.environ.get("OTHER_TENANTS", 10))
RUNS = int(os.environ.get("RUNS", 5))
READ_SECONDS = float(os.environ.get("READ_SECONDS", 2))
EXPLAIN = bool(os.environ.get("EXPLAIN"))
VERBOSE = bool(os.environ.get("VERBOSE"))
GOAL_MS, GOAL_RATIO = 200, 1.2


def uid(kind: str, n: str) -> str:
    """A row's id: the md5 of the tenant, its kind and its number (an expression over the statement's series)."""
    return f"md5(%(t)s::text || ':{kind}:' || ({n}))::uuid"


# One tenant's history over two years. Projects p = 1..P each come from order p (from quote p, from lead p); four in
# five are completed (their billable tasks on the project's invoices), the rest active (stage 1 under way, some tasks
# overdue, some delivered but not billed); one in fifty cancelled. Tasks k = 0..T-1 fill two stages per project; by k
# mod 5 they are hourly, fixed, milestone (approval), fixed, non-billable. Time entries fall on the hourly tasks, by a
# user of U; invoices are ipp per project, paid, partial, sent, a draft or void.
LOAD = [
    """insert into app.users (tenant_id, id, email, full_name, role, password_hash, weekly_capacity_hours)
    select %(t)s, {user}, 'u' || g || '@bench.test', 'User ' || g,
           (array['designer', 'production', 'qc', 'sales', 'finance', 'manager'])[1 + g %% 6], 'x',
           case when g %% 5 = 0 then 20 else 40 end
    from generate_series(1, %(users)s) as g""".format(user=uid("u", "g")),
    """insert into app.labor_rates (tenant_id, role, hourly_rate, effective_from)
    select %(t)s, r.role, 30 + 5 * r.n + 10 * y, current_date - 730 + 365 * y
    from unnest(array['designer', 'production', 'qc', 'sales', 'finance']) with ordinality as r (role, n)
    cross join generate_series(0, 1) as y""",
    """insert into app.clients (tenant_id, id, account_code, name, channel)
    select %(t)s, {client}, 'C' || g, 'Client ' || g, 'trade' from generate_series(1, %(clients)s) as g""".format(
        client=uid("c", "g")
    ),
    """insert into app.products (tenant_id, id, sku, name, product_type, cost_price, uom, track_inventory)
    select %(t)s, {product}, 'SKU-' || g, 'Product ' || g, 'material', 1 + g %% 20 + 0.25, 'unit', true
    from generate_series(1, 100) as g""".format(product=uid("pr", "g")),
    """insert into app.inventory_locations (tenant_id, id, name) values (%(t)s, {loc}, 'Store')""".format(
        loc=uid("loc", "1")
    ),
    """insert into app.leads (tenant_id, id, name, source, status, created_at)
    select %(t)s, {lead}, 'Lead ' || g, 'web',
           (array['new', 'contacted', 'qualified', 'proposal', 'closed_won', 'closed_lost'])[1 + g %% 6],
           now() - make_interval(days => (g * 7) %% 730)
    from generate_series(1, 2 * %(projects)s) as g""".format(lead=uid("l", "g")),
    # Quote g: from lead g; the first P are accepted and become order g.
    """insert into app.quotes (tenant_id, id, quote_number, lead_id, client_id, project_type, status, accepted_at,
        currency, created_at)
    select %(t)s, {quote}, 'Q-' || g, {lead}, {client}, 'type' || g %% 5,
           case when g <= %(projects)s then 'accepted'
                else (array['sent', 'draft', 'rejected', 'expired'])[1 + g %% 4] end,
           case when g <= %(projects)s then now() - make_interval(days => (g * 7) %% 730) end,
           case when g %% 20 = 0 then 'EUR' else 'USD' end, now() - make_interval(days => (g * 7) %% 730)
    from generate_series(1, %(projects)s + %(projects)s / 5) as g""".format(
        quote=uid("q", "g"), lead=uid("l", "g"), client=uid("c", "1 + g %% %(clients)s")
    ),
    """insert into app.quote_items (tenant_id, quote_id, sequence, description, quantity, unit_price, discount_pct,
        tax_rate)
    select %(t)s, {quote}, s, 'Item ' || s, 1 + g %% 5, 50 + g %% 200, (g %% 3) * 5, 8
    from generate_series(1, %(projects)s + %(projects)s / 5) as g cross join generate_series(1, 2) as s""".format(
        quote=uid("q", "g")
    ),
    # Orders p: completed ones were made 40 days to two years ago (promised 30 days later); open ones lately.
    """insert into app.orders (tenant_id, id, order_number, quote_id, client_id, project_type, status, promised_date,
        currency, deposit_required, completed_at, cancelled_at, created_at)
    select %(t)s, {order}, 'SO-' || p, {quote}, {client}, 'type' || p %% 5, x.status,
           (x.made + interval '30 days')::date,
           case when p %% 20 = 0 then 'EUR' else 'USD' end, case when p %% 3 = 0 then 100 else 0 end,
           case when x.status = 'completed' then x.made + make_interval(days => 25 + p %% 10) end,
           case when x.status = 'cancelled' then x.made + interval '1 day' end, x.made
    from generate_series(1, %(projects)s) as p
    cross join lateral (
        select
            case when p %% 50 = 0 then 'cancelled' when p %% 5 = 0 then 'in_production' else 'completed' end as status,
            case when p %% 5 = 0 then now() - make_interval(days => p %% 40)
                 else now() - make_interval(days => 40 + (p * 7) %% 690) end as made
    ) as x""".format(order=uid("o", "p"), quote=uid("q", "p"), client=uid("c", "1 + p %% %(clients)s")),
    """insert into app.order_items (tenant_id, id, order_id, sequence, description, quantity, unit_price, discount_pct)
    select %(t)s, {item}, {order}, s, 'Item ' || s, 1 + p %% 5, 50 + p %% 200, (p %% 3) * 5
    from generate_series(1, %(projects)s) as p cross join generate_series(1, 2) as s""".format(
        item=uid("oi", "p || '.' || s"), order=uid("o", "p")
    ),
    """insert into app.stock_movements (tenant_id, product_id, location_id, order_item_id, movement_type, quantity)
    select %(t)s, {product}, {loc}, {item}, 'consume', 0.5 + (p * s) %% 7
    from generate_series(1, %(projects)s) as p cross join generate_series(1, 2) as s""".format(
        product=uid("pr", "1 + (p * s) %% 100"), loc=uid("loc", "1"), item=uid("oi", "p || '.' || s")
    ),
    """insert into app.projects (tenant_id, id, project_code, name, project_type, client_id, order_id, status,
        start_date, completed_at, created_at)
    select %(t)s, {project}, 'PRJ-' || o.order_number, 'Project ' || o.order_number, o.project_type, o.client_id,
           o.id, case o.status when 'completed' then 'completed' when 'cancelled' then 'cancelled' else 'active' end,
           o.created_at::date, o.completed_at, o.created_at
    from app.orders as o where o.tenant_id = %(t)s""".format(project="o.id"),
    """insert into app.stages (tenant_id, id, project_id, sequence, stage_code, name, sla_hours, status, started_at,
        due_at, completed_at)
    select p.tenant_id, {stage}, p.id, s, (array['design', 'print'])[s], (array['Design', 'Print'])[s], 48,
           case when p.status <> 'active' then 'completed' when s = 1 then 'active' else 'pending' end,
           case when p.status <> 'active' or s = 1 then p.created_at end,
           case when p.status <> 'active' or s = 1
                then now() + make_interval(hours => (hashtext(p.id::text) %% 96)) end,
           case when p.status <> 'active' then coalesce(p.completed_at, p.created_at + interval '1 day') end
    from app.projects as p cross join generate_series(1, 2) as s where p.tenant_id = %(t)s""".format(
        stage="md5(p.id::text || ':s:' || s)::uuid"
    ),
    # Task k is task k mod n of stage k / n; a done project's billable tasks are on one of its first four invoices.
    """insert into app.tasks (tenant_id, id, project_id, stage_id, sequence, title, kind, status, billing_type,
        fixed_amount, hourly_rate, due_date, invoice_id, updated_at)
    select %(t)s, {task}, p.id, md5(p.id::text || ':s:' || x.seq)::uuid, k %% %(per_stage)s + 1, 'Task ' || k,
           case when k %% 5 = 2 then 'approval' else 'task' end,
           case when p.status <> 'active' then case when k %% 5 = 2 then 'approved' else 'completed' end
                when x.seq = 2 then 'todo'
                else (array['completed', 'in_progress', 'todo'])[1 + k %% 3] end,
           x.billing, case when x.billing in ('fixed', 'milestone') then 100 + k %% 400 end,
           case when x.billing = 'hourly' then 60 + k %% 60 end,
           case when p.status = 'active' then current_date - 5 + k %% 20 else p.created_at::date + 20 end,
           case when p.status = 'completed' and x.billing <> 'non_billable'
                then md5(
                    %(t)s::text || ':i:' || ((x.p - 1) * %(per_project)s + 1 + k %% least(4, %(per_project)s))
                )::uuid
           end,
           case when p.status = 'active' then now() - make_interval(hours => k %% 200)
                else now() - interval '40 days' end
    from generate_series(0, %(tasks)s - 1) as k
    cross join lateral (
        select k / %(per_stage)s / 2 + 1 as p, (k / %(per_stage)s) %% 2 + 1 as seq,
               (array['hourly', 'fixed', 'milestone', 'fixed', 'non_billable'])[1 + k %% 5] as billing
    ) as x
    inner join app.projects as p on p.tenant_id = %(t)s and p.id = {project}""".format(
        task=uid("t", "k"), project=uid("o", "x.p")
    ),
    # Entry e is on hourly task 5 * (e mod the number of hourly tasks).
    """insert into app.time_entries (tenant_id, task_id, user_id, work_date, hours)
    select %(t)s, {task}, {user}, current_date - (e * 3) %% 365, 0.25 * (1 + e %% 16)
    from generate_series(0, %(entries)s - 1) as e""".format(
        task=uid("t", "5 * (e %% ((%(tasks)s + 4) / 5))"), user=uid("u", "1 + e %% %(users)s")
    ),
    """insert into app.approvals (tenant_id, id, project_id, stage_id, token_hash, expires_at, approver_email, status)
    select p.tenant_id, md5(p.id::text || ':a')::uuid, p.id, md5(p.id::text || ':s:1')::uuid,
           md5(p.id::text) || md5(p.id::text || ':a'), now() + interval '7 days', 'client@bench.test',
           case when p.status = 'active' then 'pending' else 'approved' end
    from app.projects as p where p.tenant_id = %(t)s and hashtext(p.id::text) %% 2 = 0""",
    """insert into app.approval_revisions (tenant_id, approval_id, stage_id, revision_number)
    select a.tenant_id, a.id, a.stage_id, r
    from app.approvals as a cross join generate_series(1, abs(hashtext(a.id::text)) %% 4) as r
    where a.tenant_id = %(t)s""",
    # Invoice j of project p: 1 and 2 paid, 3 partial or paid, 4 sent, the others sent, a draft or void; of those
    # sent or partial, one in twenty stays unpaid once issued over 90 days ago, the rest have been paid since (so
    # receivables are the last months' invoices and a few old debts, as a going concern's are).
    """insert into app.invoices (tenant_id, id, invoice_number, client_id, project_id, kind, status, issue_date,
        due_date, currency, sent_at, voided_at, void_reason)
    select %(t)s, {invoice}, case when x.status <> 'draft' then 'INV-' || g end, p.client_id, p.id, 'final', x.status,
           x.issued, x.issued + 30, case when p.order_id is not null and (g / %(per_project)s) %% 20 = 0 then 'EUR'
           else 'USD' end,
           case when x.status <> 'draft' then x.issued + interval '9 hours' end,
           case when x.status = 'void' then x.issued + interval '10 hours' end,
           case when x.status = 'void' then 'Bench' end
    from generate_series(1, %(projects)s * %(per_project)s) as g
    inner join app.projects as p on p.tenant_id = %(t)s and p.id = {project}
    cross join lateral (
        select least(current_date, p.created_at::date + 10 * ((g - 1) %% %(per_project)s + 1)) as issued
    ) as d
    cross join lateral (
        select
            case (g - 1) %% %(per_project)s + 1 when 1 then 'paid' when 2 then 'paid'
                when 3 then case when g %% 2 = 0 then 'partial' else 'paid' end when 4 then 'sent'
                else (array['sent', 'draft', 'void'])[1 + g %% 3] end as status
    ) as r
    cross join lateral (
        select
            d.issued,
            case when r.status in ('sent', 'partial') and d.issued < current_date - 90 and g %% 20 <> 0 then 'paid'
                else r.status end as status
    ) as x""".format(invoice=uid("i", "g"), project=uid("o", "(g - 1) / %(per_project)s + 1")),
    """insert into app.invoice_lines (tenant_id, invoice_id, sequence, description, quantity, unit_price, tax_rate,
        client_contract_id)
    select i.tenant_id, i.id, 1, 'Services', 1, 100 + abs(hashtext(i.id::text)) %% 500, 8,
           case when abs(hashtext(i.id::text)) %% 10 = 0 then md5(i.client_id::text || ':cc')::uuid end
    from app.invoices as i where i.tenant_id = %(t)s""",
    """insert into app.invoice_lines (tenant_id, invoice_id, sequence, description, quantity, unit_price, source_type,
        task_id)
    select t.tenant_id, t.invoice_id, 1 + t.sequence, t.title,
           case when t.billing_type = 'hourly' then greatest(coalesce(h.hours, 0), 0.25) else 1 end,
           coalesce(t.fixed_amount, t.hourly_rate), 'task', t.id
    from app.tasks as t
    left join (
        select e.task_id, sum(e.hours) as hours from app.time_entries as e where e.tenant_id = %(t)s group by e.task_id
    ) as h on t.id = h.task_id
    where t.tenant_id = %(t)s and t.invoice_id is not null""",
    """insert into app.payments (tenant_id, id, payment_number, client_id, method, amount, currency, received_at)
    select i.tenant_id, md5(i.id::text || ':pay')::uuid, 'PAY-' || i.invoice_number, i.client_id, 'wire',
           case when i.status = 'paid' then l.total else round(l.total / 2, 2) end, i.currency,
           least(now(), i.sent_at + interval '20 days')
    from app.invoices as i
    inner join (
        select x.invoice_id, sum(x.line_total + x.tax_amount) as total
        from app.invoice_lines as x where x.tenant_id = %(t)s group by x.invoice_id
    ) as l on i.id = l.invoice_id
    where i.tenant_id = %(t)s and i.status in ('paid', 'partial')""",
    """insert into app.payment_applications (tenant_id, payment_id, invoice_id, amount, applied_at)
    select p.tenant_id, p.id, i.id, p.amount, p.received_at
    from app.invoices as i
    inner join app.payments as p on p.tenant_id = i.tenant_id and p.id = md5(i.id::text || ':pay')::uuid
    where i.tenant_id = %(t)s""",
    """insert into app.contracts (tenant_id, id, name, status, is_active, owner_client_id)
    select c.tenant_id, md5(c.id::text || ':ct')::uuid, 'Care ' || c.account_code, 'published', true, c.id
    from app.clients as c where c.tenant_id = %(t)s""",
    """insert into app.client_contracts (tenant_id, id, client_id, contract_id, start_date, end_date, is_active)
    select c.tenant_id, md5(c.id::text || ':cc')::uuid, c.id, md5(c.id::text || ':ct')::uuid, current_date - 400,
           current_date + abs(hashtext(c.id::text)) %% 200, true
    from app.clients as c where c.tenant_id = %(t)s""",
]


def load_tenant(conn, slug: str):
    tenant = conn.execute("select internal.create_tenant(%s, %s)", (slug, slug)).fetchone()[0]
    params = {
        "t": tenant,
        "projects": PROJECTS,
        "tasks": TASKS,
        "entries": TIME_ENTRIES,
        "per_stage": max(1, TASKS // (2 * PROJECTS)),
        "per_project": max(1, INVOICES // PROJECTS),
        "clients": max(10, PROJECTS // 20),
        "users": max(6, PROJECTS // 200),
    }
    # As integers: psycopg would send the small ones as smallint, and projects x invoices per project overflow it.
    params = {k: v if k == "t" else Int4(v) for k, v in params.items()}
    for statement in LOAD:
        started = time.perf_counter()
        conn.execute(statement, params)
        # Fresh statistics for the next statement's plan (autovacuum would lag behind a bulk load).
        conn.execute(sql.SQL("analyze {}").format(sql.SQL(statement.split()[2])))
        if VERBOSE:
            print(f"  {time.perf_counter() - started:7.1f} s  {statement.split()[2]}", file=sys.stderr)
    # Loaded with triggers off, as a bulk load is: its totals (migration 0025) are then computed once, as the
    # backfill after a bulk load does (internal.rebuild_missing_totals at the next db up).
    started = time.perf_counter()
    conn.execute("select set_config('pgpsa.tenant_id', %s::text, false)", [tenant])
    conn.execute("select internal.rebuild_totals()")
    conn.execute("select set_config('pgpsa.tenant_id', '', false)")
    if VERBOSE:
        print(f"  {time.perf_counter() - started:7.1f} s  totals", file=sys.stderr)
    return tenant


def login_url(url: str, login: str) -> str:
    """The admin URL with the BI login as its user (the embedded cluster trusts local connections)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{login}:bench@{host}"))


def views(conn) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "select relname from pg_class where relnamespace = 'bi'::regnamespace and relkind = 'v' order by relname"
        )
    ]


def backend_cpu_ms(pid: int) -> float | None:
    """The server process's own CPU time so far (Linux, server on this machine), else None: unlike the wall clock it
    does not grow while other work on the machine holds the cores."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0]) / 1e6
    except (OSError, ValueError, IndexError):
        return None


def read_ms(conn, pid: int, query) -> tuple[float, float | None]:
    """One full read of a view: wall ms and the backend's CPU ms."""
    cpu, start = backend_cpu_ms(pid), time.perf_counter()
    conn.execute(query).fetchall()
    wall = (time.perf_counter() - start) * 1000
    after = backend_cpu_ms(pid)
    return wall, (after - cpu if cpu is not None and after is not None else None)


def measure(alone_url: str, crowded_url: str, names: list[str], explain: bool = False) -> dict:
    """Each view read in full RUNS times in each database (after one warm-up read in each), the two reads of a run
    one after the other, so whatever else the machine does weighs on both alike; through one connection per
    database, without parallel workers (a dashboard reads its tiles side by side, a core each; the backend's CPU
    time is then all of a read's work). Per view: alone and crowded (median wall ms, median CPU ms, rows), and the
    crowded plan."""
    results = {}
    with psycopg.connect(alone_url, autocommit=True) as alone, psycopg.connect(crowded_url, autocommit=True) as crowded:
        conns = (alone, crowded)
        pids = [c.execute("select pg_backend_pid()").fetchone()[0] for c in conns]
        for c in conns:
            c.execute("set max_parallel_workers_per_gather = 0")
        for name in names:
            query = sql.SQL("select * from {}").format(sql.Identifier("bi", name))
            rows = [len(c.execute(query).fetchall()) for c in conns]
            samples = [([], []), ([], [])]
            # RUNS pairs at least, and more for a quick view until READ_SECONDS have gone by (as timeit repeats a
            # short statement): a median of 5 reads of 6 ms moves by a millisecond with the machine's other work.
            started = time.perf_counter()
            while len(samples[0][0]) < RUNS or (
                time.perf_counter() - started < READ_SECONDS and len(samples[0][0]) < 200
            ):
                for k, c in enumerate(conns):
                    wall, cpu = read_ms(c, pids[k], query)
                    samples[k][0].append(wall)
                    if cpu is not None:
                        samples[k][1].append(cpu)
            plan = ""
            if explain:
                lines = crowded.execute(sql.SQL("explain (analyze, buffers) ") + query).fetchall()
                plan = "\n".join(r[0] for r in lines)
            results[name] = tuple(
                (statistics.median(w), statistics.median(c) if c else None, rows[k]) for k, (w, c) in enumerate(samples)
            ) + (plan,)
    return results


def database_url(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def copy_database(url: str, name: str) -> str:
    """A new database copied from url's (nobody else may be connected to it), with its ALTER DATABASE settings,
    which a template copy lacks."""
    source = urlsplit(url).path.lstrip("/")
    with psycopg.connect(database_url(url, "postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("create database {} template {}").format(sql.Identifier(name), sql.Identifier(source)))
        settings = admin.execute(
            "select unnest(s.setconfig) from pg_db_role_setting as s join pg_database as d on d.oid = s.setdatabase"
            " where d.datname = %s and s.setrole = 0",
            [source],
        ).fetchall()
        for (setting,) in settings:
            key, _, value = setting.partition("=")
            setting_sql = sql.SQL("alter database {} set {} = {}")
            admin.execute(setting_sql.format(sql.Identifier(name), sql.Identifier(key), sql.SQL(value)))
    return database_url(url, name)


def drop_database(url: str) -> None:
    with psycopg.connect(database_url(url, "postgres"), autocommit=True) as admin:
        name = urlsplit(url).path.lstrip("/")
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def load(url: str, slugs: list[str]) -> None:
    """The tenants loaded as the superuser, bulk (no audit rows, no activity log), then vacuumed and analyzed as
    autovacuum would (visibility maps let the scans stay index-only)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("set session_replication_role = replica")
        for slug in slugs:
            load_tenant(conn, slug)
        conn.execute("vacuum analyze")


def main():
    url = os.environ["DATABASE_URL"]
    # The tenant is loaded, copied with its database (the same rows, the same ids) to one of its own, then the other
    # tenants are loaded beside it here: both are read in the same run, each read of one next to the same read of
    # the other. Its BI login (a role, bound to the tenant by its name) connects to either.
    started = time.perf_counter()
    load(url, ["bench-bi"])
    alone_url = copy_database(url, urlsplit(url).path.lstrip("/") + "_alone")
    print(f"loaded 1 tenant, and copied it alone, in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    login = None
    try:
        started = time.perf_counter()
        load(url, [f"bench-bi-other-{i}" for i in range(OTHER_TENANTS)])
        took = time.perf_counter() - started
        print(f"loaded {OTHER_TENANTS} other tenants beside it in {took:.0f} s", file=sys.stderr)
        with psycopg.connect(url, autocommit=True) as conn:
            names = views(conn)
            tenant = conn.execute("select id from app.tenants where slug = 'bench-bi'").fetchone()[0]
            login = conn.execute("select internal.create_db_login('bi', %s, 'bench', 'bench')", [tenant]).fetchone()[0]
            counts = conn.execute(
                """select (select count(*) from app.projects where tenant_id = %(t)s),
                          (select count(*) from app.tasks where tenant_id = %(t)s),
                          (select count(*) from app.time_entries where tenant_id = %(t)s),
                          (select count(*) from app.invoices where tenant_id = %(t)s),
                          (select count(*) from app.tasks), (select count(*) from app.time_entries),
                          (select count(*) from app.invoices)""",
                {"t": tenant},
            ).fetchone()
        results = measure(login_url(alone_url, login), login_url(url, login), names, EXPLAIN)
    finally:
        if login:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("select internal.revoke_db_login(%s)", [login])
        drop_database(alone_url)

    print(
        f"tenant: {counts[0]:,} projects, {counts[1]:,} tasks, {counts[2]:,} time entries, {counts[3]:,} invoices; "
        f"whole database ({OTHER_TENANTS} other tenants): {counts[4]:,} tasks, {counts[5]:,} time entries, "
        f"{counts[6]:,} invoices; medians of {RUNS} or more full reads (for {READ_SECONDS:g} s or more) as the "
        f"tenant's BI login, each read alone followed by the same read beside the others"
    )
    goal = f"goal (< {GOAL_MS} ms, <= {GOAL_RATIO}x, by the wall clock)"
    head = f"{'view':24} {'rows':>6} {'alone ms':>9} {'crowded ms':>11} {'ratio':>6}"
    print(f"{head} {'cpu alone':>10} {'cpu crowded':>12} {'ratio':>6}  {goal}")
    for name in names:
        (a, a_cpu, rows), (c, c_cpu, rows_after), plan = results[name]
        ratio = c / a if a else float("inf")
        misses = [w for w, bad in (("slow", c >= GOAL_MS), ("not flat", ratio > GOAL_RATIO)) if bad]
        flag = "ok" if not misses else ", ".join(misses)
        if a_cpu is not None and c_cpu is not None:
            cpu = f"{a_cpu:>10.1f} {c_cpu:>12.1f} {c_cpu / a_cpu if a_cpu else float('inf'):>5.2f}x"
        else:
            cpu = f"{'-':>10} {'-':>12} {'-':>6}"
        print(f"{name:24} {rows_after:>6} {a:>9.1f} {c:>11.1f} {ratio:>5.2f}x {cpu}  {flag}")
        if rows != rows_after:
            print(f"  {name}: {rows} rows alone but {rows_after} beside the others: tenancy leaks", file=sys.stderr)
            sys.exit(1)
        if plan:
            print(plan, file=sys.stderr)


if __name__ == "__main__":
    main()
