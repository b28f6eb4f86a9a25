-- Task signals behind project health (seed 000): overdue open tasks and recent updates per project of the tenant.

-- As the owner (tenant-scoped by its policy): health is a fact about the project, not about the tasks the reader
-- may see, and without the per-row permission filter the partial indexes serve index-only scans.
create or replace function internal.project_task_signals()
returns table (project_id uuid, overdue_tasks integer, recently_updated boolean)
language sql stable security definer set search_path = ''
begin atomic
    with overdue as (
        select
            t.project_id,
            count(*)::integer as n
        from app.tasks as t
        where
            t.tenant_id = internal.current_tenant_id()
            and t.due_date < current_date
            and t.status <> all(internal.task_done_statuses())
        group by t.project_id
    ),

    recent as (
        select distinct t.project_id
        from app.tasks as t
        where t.tenant_id = internal.current_tenant_id() and t.updated_at > now() - interval '7 days'
    )

    select
        coalesce(o.project_id, r.project_id) as project_id,
        coalesce(o.n, 0) as overdue_tasks,
        r.project_id is not null as recently_updated
    from overdue as o
    full join recent as r on o.project_id = r.project_id;
end;

grant execute on function internal.project_task_signals() to pgpsa_staff;
