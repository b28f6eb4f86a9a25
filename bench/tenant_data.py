"""A tenant's data for the benchmarks, loaded straight into the tables (triggers off): clients, orders with items,
projects with stages, tasks and time, approvals, job tickets, invoices with lines and payments.

Imported by bench/views.py and bench/api.py; run alone it loads one tenant of PROJECTS projects and prints its ids
(DATABASE_URL=<a scratch database, migrated> .venv/bin/python bench/tenant_data.py).
Sizes: PROJECTS, TASKS_PER_PROJECT (split over two stages), TIME_PER_TASK.
"""

import os
import sys

import psycopg

TASKS_PER_PROJECT = int(os.environ.get("TASKS_PER_PROJECT", 20))
TIME_PER_TASK = int(os.environ.get("TIME_PER_TASK", 2))

# One statement per table; %(t)s is the tenant, %(u)s its manager. A tenth of the projects are open, the rest done;
# open projects have a few overdue tasks and were worked on in the last days. Every project comes from an order
# (from a quote), and has an invoice with a payment; a project's tasks are made together (as from a template), so a
# project's rows sit together in both tenants. Every view a route reads by id or by parent has rows: contacts,
# templates, task activity, comments, files, contracts with their lines, assignments, products, leads, quotes.
LOAD = """
insert into app.clients (tenant_id, account_code, name, channel)
select %(t)s, 'C' || g, 'Client ' || g, 'retail' from generate_series(1, greatest(%(projects)s / 10, 1)) as g;
insert into app.quotes (tenant_id, quote_number, client_id, project_type, title, status)
select %(t)s, 'Q-' || lpad(g::text, 6, '0'), c.id, 'banner', 'Quote ' || g, 'draft'
from generate_series(1, %(projects)s) as g
join app.clients as c on c.tenant_id = %(t)s and c.account_code = 'C' || (1 + g %% greatest(%(projects)s / 10, 1));
insert into app.orders (tenant_id, order_number, quote_id, client_id, project_type, status)
select q.tenant_id, 'SO-' || substr(q.quote_number, 3), q.id, q.client_id, 'banner', 'in_production'
from app.quotes as q where q.tenant_id = %(t)s order by q.quote_number;
insert into app.order_items (tenant_id, order_id, sequence, description, quantity, unit_price, tax_rate)
select o.tenant_id, o.id, s, 'Item ' || s, 2, 50, 8 from app.orders as o, generate_series(1, 3) as s
where o.tenant_id = %(t)s;
insert into app.projects (tenant_id, project_code, name, project_type, status, client_id, order_id, start_date,
    created_at)
select o.tenant_id, 'PRJ-' || substr(o.order_number, 4), 'Project ' || o.order_number, 'banner',
       case when right(o.order_number, 1) = '0' then 'active' else 'completed' end, o.client_id, o.id,
       current_date - 90, now() - interval '90 days'
from app.orders as o where o.tenant_id = %(t)s;
insert into app.stages (tenant_id, project_id, sequence, stage_code, name, sla_hours, status, started_at, due_at,
    completed_at)
select p.tenant_id, p.id, s, 'stage' || s, 'Stage ' || s, 48,
       case when p.status = 'completed' then 'completed' when s = 1 then 'active' else 'pending' end,
       case when p.status = 'completed' or s = 1 then now() - interval '30 days' end,
       case when p.status = 'completed' or s = 1 then now() + interval '1 day' end,
       case when p.status = 'completed' then now() - interval '20 days' end
from app.projects as p, generate_series(1, 2) as s where p.tenant_id = %(t)s;
insert into app.tasks (tenant_id, project_id, stage_id, sequence, title, status, due_date, updated_at, billing_type,
    hourly_rate, assignee_ids)
select st.tenant_id, st.project_id, st.id, g, 'Task ' || g,
       case when p.status = 'completed' then 'completed' when g %% 3 = 0 then 'completed' else 'todo' end,
       case when p.status <> 'completed' and g %% 4 = 1 then current_date - 3 else current_date + 10 end,
       case when p.status = 'completed' then now() - interval '20 days' else now() - make_interval(hours => g) end,
       'hourly', 80, array[%(u)s]::uuid[]
from app.stages as st
join app.projects as p on p.tenant_id = st.tenant_id and p.id = st.project_id
cross join generate_series(1, greatest(%(tasks)s / 2, 1)) as g
where st.tenant_id = %(t)s
order by p.project_code, st.sequence, g;
insert into app.time_entries (tenant_id, task_id, user_id, work_date, hours)
select t.tenant_id, t.id, %(u)s, current_date - g, 1.5 from app.tasks as t, generate_series(1, %(time)s) as g
where t.tenant_id = %(t)s;
insert into app.approvals (tenant_id, project_id, stage_id, token_hash, expires_at, approver_email)
select st.tenant_id, st.project_id, st.id, encode(extensions.digest(st.id::text, 'sha256'), 'hex'),
       now() + interval '7 days', 'approver@example.test'
from app.stages as st where st.tenant_id = %(t)s and st.sequence = 1;
insert into app.approval_revisions (tenant_id, approval_id, stage_id, revision_number, comment)
select a.tenant_id, a.id, a.stage_id, 1, 'Bigger logo, please' from app.approvals as a
where a.tenant_id = %(t)s;
insert into app.job_tickets (tenant_id, ticket_code, project_id, order_id, qr_payload)
select p.tenant_id, 'JOB-' || substr(p.project_code, 5), p.id, p.order_id, 'PRJ:' || p.project_code
from app.projects as p where p.tenant_id = %(t)s;
insert into app.invoices (tenant_id, invoice_number, client_id, order_id, project_id, kind, status, issue_date,
    due_date, sent_at)
select p.tenant_id, 'INV-' || substr(p.project_code, 5), p.client_id, p.order_id, p.id, 'final', 'partial',
       current_date - 10, current_date + 20, now() - interval '10 days'
from app.projects as p where p.tenant_id = %(t)s;
insert into app.invoice_lines (tenant_id, invoice_id, sequence, description, quantity, unit_price, tax_rate)
select i.tenant_id, i.id, s, 'Line ' || s, 3, 120, 8 from app.invoices as i, generate_series(1, 3) as s
where i.tenant_id = %(t)s;
insert into app.payments (tenant_id, payment_number, client_id, method, amount)
select i.tenant_id, 'PAY-' || substr(i.invoice_number, 5), i.client_id, 'ach', 200
from app.invoices as i where i.tenant_id = %(t)s;
insert into app.payment_applications (tenant_id, payment_id, invoice_id, amount)
select i.tenant_id, y.id, i.id, 200 from app.invoices as i
join app.payments as y on y.tenant_id = i.tenant_id and y.payment_number = 'PAY-' || substr(i.invoice_number, 5)
where i.tenant_id = %(t)s;
insert into app.contacts (tenant_id, client_id, name, email, is_primary)
select c.tenant_id, c.id, 'Contact of ' || c.name, 'contact-' || c.account_code || '@example.test', true
from app.clients as c where c.tenant_id = %(t)s;
insert into app.task_activity_logs (tenant_id, task_id, actor_user_id, action, changes)
select t.tenant_id, t.id, %(u)s, 'created', jsonb_build_object('title', t.title) from app.tasks as t
where t.tenant_id = %(t)s order by t.project_id, t.sequence;
insert into app.comments (tenant_id, task_id, author_user_id, body)
select t.tenant_id, t.id, %(u)s, 'A note on ' || t.title from app.tasks as t
where t.tenant_id = %(t)s and t.sequence = 1;
insert into app.files (tenant_id, project_id, task_id, storage_key, file_name, size_bytes, uploaded_by_user_id)
select t.tenant_id, t.project_id, t.id, 'bench/' || t.id, 'proof.pdf', 1000, %(u)s from app.tasks as t
where t.tenant_id = %(t)s and t.sequence = 1;
insert into app.templates (tenant_id, name, project_type)
select %(t)s, 'Template ' || g, 'type_' || g from generate_series(1, greatest(%(projects)s / 100, 1)) as g;
insert into app.template_stages (tenant_id, template_id, sequence, stage_code, name, sla_hours)
select tp.tenant_id, tp.id, s, 'stage' || s, 'Stage ' || s, 48 from app.templates as tp, generate_series(1, 2) as s
where tp.tenant_id = %(t)s;
insert into app.template_tasks (tenant_id, template_stage_id, sequence, title)
select ts.tenant_id, ts.id, g, 'Task ' || g from app.template_stages as ts, generate_series(1, 3) as g
where ts.tenant_id = %(t)s;
insert into app.contract_templates (tenant_id, name)
select %(t)s, 'Contract template ' || g from generate_series(1, greatest(%(projects)s / 100, 1)) as g;
insert into app.contract_template_lines (tenant_id, template_id, sequence, name, line_type, amount)
select ct.tenant_id, ct.id, s, 'Line ' || s, 'fixed', 100 from app.contract_templates as ct,
generate_series(1, 2) as s where ct.tenant_id = %(t)s;
insert into app.contracts (tenant_id, name, owner_client_id, status)
select c.tenant_id, 'Contract of ' || c.name, c.id, 'published' from app.clients as c where c.tenant_id = %(t)s;
insert into app.contract_lines (tenant_id, contract_id, sequence, name, line_type)
select k.tenant_id, k.id, s, 'Line ' || s, 'fixed' from app.contracts as k, generate_series(1, 2) as s
where k.tenant_id = %(t)s;
insert into app.contract_line_rates (tenant_id, contract_line_id, amount)
select l.tenant_id, l.id, 100 from app.contract_lines as l where l.tenant_id = %(t)s;
insert into app.contract_line_services (tenant_id, contract_line_id, service_name, quantity)
select l.tenant_id, l.id, 'Service', 1 from app.contract_lines as l where l.tenant_id = %(t)s;
insert into app.client_contracts (tenant_id, client_id, contract_id, start_date, end_date)
select k.tenant_id, k.owner_client_id, k.id, current_date - 30, current_date + 335 from app.contracts as k
where k.tenant_id = %(t)s;
insert into app.products (tenant_id, sku, name, default_price)
select %(t)s, 'SKU-' || g, 'Product ' || g, 50 from generate_series(1, greatest(%(projects)s / 10, 1)) as g;
insert into app.leads (tenant_id, name, source, client_id)
select c.tenant_id, 'Lead for ' || c.name, 'web', c.id from app.clients as c where c.tenant_id = %(t)s;
insert into app.quote_items (tenant_id, quote_id, sequence, description, quantity, unit_price, tax_rate)
select q.tenant_id, q.id, s, 'Item ' || s, 2, 50, 8 from app.quotes as q, generate_series(1, 3) as s
where q.tenant_id = %(t)s
"""


def load_tenant(conn: psycopg.Connection, slug: str, projects: int) -> tuple[str, str]:
    """A tenant with a manager and `projects` projects (and all that hangs off them); returns (tenant, manager)."""
    with conn.transaction():
        conn.execute("set local session_replication_role = replica")  # no audit rows, no derived logs
        tenant = conn.execute("select internal.create_tenant(%s, %s)", (slug, slug)).fetchone()[0]
        user = conn.execute(
            "select internal.create_user(%s, %s, 'Bench manager', 'manager', 'x')", (tenant, f"m@{slug}.test")
        ).fetchone()[0]
        params = {"t": tenant, "u": user, "projects": projects, "tasks": TASKS_PER_PROJECT, "time": TIME_PER_TASK}
        for statement in LOAD.split(";\n"):
            conn.execute(statement, params)
    return str(tenant), str(user)


if __name__ == "__main__":
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as c:
        slug = sys.argv[1] if len(sys.argv) > 1 else f"bench-data-{os.getpid()}"
        ids = load_tenant(c, slug, int(os.environ.get("PROJECTS", 10)))
    print("tenant {}, manager {}".format(*ids))
