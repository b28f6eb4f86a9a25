-- Facts the door views show that the door's own permissions would hide, read as the owner (tenant-scoped by its
-- policy) in owner views: a request role cannot read them, only the doors that join them (db/policies/9000_doors.sql
-- grants them to the doors alone). Functions would not do here: a door view runs its functions with the caller's
-- EXECUTE rights, but reads a nested view with the door's.

-- A client's tax id in clear, only for a user with clients:tax_id (finance, manager, admin).
create or replace view internal.client_tax_ids as
select
    c.tenant_id,
    c.id as client_id,
    extensions.pgp_sym_decrypt(c.tax_id_encrypted, k.value) as tax_id
from app.clients as c
cross join internal.settings as k
where k.name = 'data_key' and c.tax_id_encrypted is not null and internal.has_permission('clients:tax_id');

-- Task signals behind project health (seed 000), per project: its overdue open tasks, whether a task moved in the
-- last 7 days, and the colour they make (internal.health_colour, internal.project_stale). Health is a fact of the
-- project, not of the tasks the reader may see (a designer sees the same colour as a manager), so it is read here
-- as the owner. Each signal is a correlated subquery in the select list, a range of one project's index entries
-- (tasks by project, status and due date; tasks by project and last update), named once in a lateral without a
-- FROM (the planner folds it into the select list): a read by id pushes the id down, a page's rows are computed
-- after its sort and limit
-- (PostgreSQL postpones costly select-list expressions past them), and a count skips them.
create or replace view internal.project_signals as
select
    p.id as project_id,
    x.overdue_tasks,
    x.recently_updated,
    p.tenant_id,
    x.stale,
    internal.health_colour(x.overdue_tasks, x.stale) as health
from app.projects as p
cross join lateral (  -- noqa: ST05
    select
        coalesce((
            select count(*)::integer from app.tasks as t
            where
                t.tenant_id = p.tenant_id
                and t.project_id = p.id
                and t.due_date < current_date
                and t.status <> all(internal.task_done_statuses())
        ), 0) as overdue_tasks,
        -- A scalar subquery with a LIMIT, not EXISTS: the planner may answer an EXISTS for many rows by hashing
        -- every recent task of the tenant (it costs the select list for all the rows before a page's limit), which
        -- makes a page of 25 projects cost what the tenant's recent work costs. A scalar subquery it never hashes
        -- (its LIMIT without ORDER BY is deliberate: any one row answers).
        coalesce((
            select true from app.tasks as t
            where t.tenant_id = p.tenant_id and t.project_id = p.id and t.updated_at > now() - interval '7 days'
            limit 1  -- noqa: AM09
        ), false) as recently_updated,
        -- Its own copy of the "moved lately" subquery, which the stale test (inlined) asks only of an open project
        -- older than 7 days: a read of a completed project runs none of it.
        internal.project_stale(p.status, p.created_at, coalesce((
            select true from app.tasks as t
            where t.tenant_id = p.tenant_id and t.project_id = p.id and t.updated_at > now() - interval '7 days'
            limit 1  -- noqa: AM09
        ), false)) as stale
) as x;

-- The same signals for a whole tenant at once, for the bi door (bi.project_health reads every project of its
-- tenant): two index-only ranges over the tenant's open tasks by due date and its tasks by update time, so the cost
-- follows the tenant's late and recent work, not its history; a read of a few projects uses the view above.
create or replace view internal.tenant_project_signals as
with overdue as (
    select
        t.tenant_id,
        t.project_id,
        count(*)::integer as n
    from app.tasks as t
    where
        t.tenant_id = internal.current_tenant_id()
        and t.due_date < current_date
        and t.status <> all(internal.task_done_statuses())
    group by t.tenant_id, t.project_id
),

recent as (
    select distinct
        t.tenant_id,
        t.project_id
    from app.tasks as t
    where t.tenant_id = internal.current_tenant_id() and t.updated_at > now() - interval '7 days'
)

select
    coalesce(o.project_id, r.project_id) as project_id,
    coalesce(o.n, 0) as overdue_tasks,
    r.project_id is not null as recently_updated
from overdue as o
full join recent as r on o.project_id = r.project_id;

-- An order's deposit received (payments applied to its deposit invoices) and its project: part of the order's
-- own record, whoever may see invoices or projects.
create or replace view internal.order_facts as
select
    o.tenant_id,
    o.id as order_id,
    coalesce((
        select sum(a.amount)
        from app.invoices as i
        inner join app.payment_applications as a on i.tenant_id = a.tenant_id and i.id = a.invoice_id
        where i.tenant_id = o.tenant_id and i.order_id = o.id and i.kind = 'deposit' and i.status <> 'void'
    ), 0) as deposit_received,
    p.id as project_id,
    p.project_code
from app.orders as o
left join app.projects as p on o.tenant_id = p.tenant_id and o.id = p.order_id;

-- The job queue's jobs with the tenant their arguments name (procrastinate's schema `queue`, which only the owner
-- and the queue's role read): api.job_queue shows a tenant its own.
create or replace view internal.queue_jobs as
select
    j.id,
    j.task_name,
    j.status::text as status,
    j.scheduled_at,
    j.attempts,
    (j.args ->> 'tenant_id')::uuid as tenant_id,
    j.status = 'todo' and coalesce(j.scheduled_at, now()) <= now() as waiting,
    (select min(e.at) from queue.procrastinate_events as e where e.job_id = j.id and e.type = 'deferred') as deferred_at
from queue.procrastinate_jobs as j;
