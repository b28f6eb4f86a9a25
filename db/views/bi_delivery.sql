-- BI: work in progress (seed 003 §6.5, with open tasks counted as not done in any done status).

create or replace view bi.wip as
select
    pr.project_code,
    pr.status,
    ps.stage_code,
    ps.status as stage_status,
    ps.due_at,
    extract(epoch from (ps.due_at - now())) / 3600 as hours_remaining,
    count(t.id) filter (where t.status <> all(internal.task_done_statuses())) as open_tasks
from app.projects as pr
inner join app.stages as ps on pr.tenant_id = ps.tenant_id and pr.id = ps.project_id
left join app.tasks as t on ps.tenant_id = t.tenant_id and ps.id = t.stage_id
where pr.status not in ('completed', 'cancelled') and ps.status <> 'completed'
group by pr.project_code, pr.status, ps.stage_code, ps.status, ps.due_at
order by ps.due_at;
