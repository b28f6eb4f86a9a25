-- Stage progression (seed 003 §3.3) in triggers, so it holds for every writer: a stage completes only when all
-- its tasks are done; completing it activates the next stage with its SLA; after the last, the project completes.
-- The SLA sweep marks late stages overdue and records the escalation once.

-- Task statuses that count as done for stage completion and billing.
create or replace function internal.task_done_statuses() returns text[]
language sql immutable parallel safe
begin atomic
    select array['completed', 'approved', 'client_approved', 'cancelled'];
end;

-- Project health (seed 000), the one statement of the rule: an open project (planning, active, on_hold) older than
-- 7 days with no task updated in 7 days is stale; stale or 3+ overdue open tasks is red, 1-2 yellow, 0 green. Plain
-- SQL the planner inlines, so internal.project_signals (a project at a time) and bi.project_health (a tenant at a
-- time) ask it without a call per row, and the stale test asks "moved lately" only of an open, older project.
create or replace function internal.project_stale(
    p_status text, p_created_at timestamptz, p_recently_updated boolean
) returns boolean
language sql stable parallel safe
begin atomic
    select
        p_status in ('planning', 'active', 'on_hold') and p_created_at < now() - interval '7 days'
        and not p_recently_updated;
end;

create or replace function internal.health_colour(p_overdue_tasks integer, p_stale boolean) returns app.health
language sql immutable parallel safe
begin atomic
    -- Each argument named once: an argument that is a subquery is then run once, not once per mention.
    select (case
        when p_stale then 'red'
        else case least(p_overdue_tasks, 3) when 0 then 'green' when 3 then 'red' else 'yellow' end
    end)::app.health;
end;

-- Open tasks of a stage, read as the owner: completeness must not depend on what the writer may see.
create or replace function internal.stage_open_tasks(p_tenant_id uuid, p_stage_id uuid) returns text
language sql stable security definer set search_path = ''
begin atomic
    select string_agg(t.title, ', ' order by t.sequence)
    from app.tasks as t
    where t.tenant_id = p_tenant_id and t.stage_id = p_stage_id and t.status <> all(internal.task_done_statuses());
end;

create or replace function internal.tg_stages__validate() returns trigger
language plpgsql set search_path = ''
as $$
declare
    open_tasks text;
begin
    if new.status = old.status then
        return new;
    end if;
    if old.status = 'completed' then
        raise exception using errcode = 'PT409', message = format('Stage %s is already completed.', old.name);
    end if;
    if new.status = 'completed' then
        open_tasks := internal.stage_open_tasks(new.tenant_id, new.id);
        if open_tasks is not null then
            raise exception using
                errcode = 'PT409',
                message = format('Stage %s still has open tasks: %s.', new.name, open_tasks),
                hint = 'Finish or cancel those tasks first.';
        end if;
        new.completed_at := now();
    elsif old.status = 'pending' and new.status in ('active', 'revision', 'overdue') then
        if exists (
            select from app.stages as s
            where s.tenant_id = new.tenant_id and s.project_id = new.project_id and s.sequence < new.sequence
              and s.status <> 'completed'
        ) then
            raise exception using
                errcode = 'PT409',
                message = format('Stage %s cannot start before the stages ahead of it are completed.', new.name);
        end if;
        if new.requires_deposit and internal.deposit_outstanding(new.tenant_id, new.project_id) then
            raise exception using
                errcode = 'PT409',
                message = format('Stage %s waits for the project''s deposit to be paid.', new.name),
                hint = 'Record and apply the deposit payment; the stage then starts by itself.';
        end if;
        new.started_at := coalesce(new.started_at, now());
        new.due_at := coalesce(new.due_at, now() + make_interval(hours => new.sla_hours));
    elsif new.status = 'pending' then
        raise exception using errcode = 'PT409', message = format('Stage %s has started; it cannot go back to pending.', new.name);
    end if;
    return new;
end;
$$;

drop trigger if exists trg_stages_100_validate on app.stages;
create trigger trg_stages_100_validate before update of status on app.stages
for each row execute function internal.tg_stages__validate();

-- After a stage changes status: activate the next one or complete the project, and record the events.
-- As the owner: the consequences of a rule do not depend on what the writer may change by hand.
create or replace function internal.tg_stages__progress() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    next_stage uuid;
begin
    if new.status is not distinct from old.status then
        return null;
    end if;
    perform internal.record_event(
        'stage.' || case new.status when 'active' then 'activated' else new.status end, 'stage', new.id,
        jsonb_build_object('project_id', new.project_id, 'from', old.status, 'to', new.status, 'due_at', new.due_at)
    );
    if new.status = 'active' and old.status = 'pending' then
        update app.projects as p set status = 'active'
        where p.tenant_id = new.tenant_id and p.id = new.project_id and p.status = 'planning';
    elsif new.status = 'completed' then
        select s.id into next_stage from app.stages as s
        where s.tenant_id = new.tenant_id and s.project_id = new.project_id and s.sequence > new.sequence
          and s.status = 'pending'
        order by s.sequence limit 1;
        if next_stage is not null and (
            select s.requires_deposit from app.stages as s where s.tenant_id = new.tenant_id and s.id = next_stage
        ) and internal.deposit_outstanding(new.tenant_id, new.project_id) then
            -- Released when the deposit is paid (internal.release_deposit_stage).
            perform internal.record_event('stage.awaiting_deposit', 'stage', next_stage,
                jsonb_build_object('project_id', new.project_id));
        elsif next_stage is not null then
            update app.stages as s set status = 'active' where s.tenant_id = new.tenant_id and s.id = next_stage;
        elsif not exists (
            select from app.stages as s
            where s.tenant_id = new.tenant_id and s.project_id = new.project_id and s.status <> 'completed'
        ) then
            update app.projects as p set status = 'completed', completed_at = now()
            where p.tenant_id = new.tenant_id and p.id = new.project_id;
            perform internal.record_event('project.completed', 'project', new.project_id, '{}');
        end if;
    end if;
    return null;
end;
$$;

drop trigger if exists trg_stages_500_progress on app.stages;
create trigger trg_stages_500_progress after update of status on app.stages
for each row execute function internal.tg_stages__progress();

create or replace function internal.find_stage(p_project_id uuid, p_stage_id uuid) returns uuid
language plpgsql stable set search_path = ''
as $$
begin
    if not exists (
        select from app.stages as s
        where s.tenant_id = internal.current_tenant_id() and s.id = p_stage_id and s.project_id = p_project_id
    ) then
        perform internal.not_found('stage', p_stage_id);
    end if;
    return p_stage_id;
end;
$$;

create or replace function internal.start_stage(p_project_id uuid, p_stage_id uuid) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.find_stage(p_project_id, p_stage_id);
    update app.stages as s set status = 'active'
    where s.tenant_id = internal.current_tenant_id() and s.id = p_stage_id and s.status = 'pending';
    if not found then
        raise exception using errcode = 'PT409', message = 'Only a pending stage can be started.';
    end if;
    return p_stage_id;
end;
$$;

-- The door: checks projects:write, then calls internal.start_stage (which rules call directly).
create or replace function api.start_stage(p_project_id uuid, p_stage_id uuid) returns uuid
language sql volatile set search_path = ''
begin atomic
    select internal.require_access('stages', 'update');
    select internal.start_stage(p_project_id, p_stage_id);
end;

create or replace function api.complete_stage(p_project_id uuid, p_stage_id uuid) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('stages', 'update');
    perform internal.find_stage(p_project_id, p_stage_id);
    update app.stages as s set status = 'completed'
    where s.tenant_id = internal.current_tenant_id() and s.id = p_stage_id and s.status in ('active', 'revision', 'overdue');
    if not found then
        raise exception using errcode = 'PT409', message = 'Only a started stage can be completed.',
            hint = 'Start the stage first.';
    end if;
    return p_stage_id;
end;
$$;

-- A project is completed by its last stage, not by hand; other status changes are free.
create or replace function internal.tg_projects__status() returns trigger
language plpgsql set search_path = ''
as $$
begin
    if new.status = 'completed' and old.status <> 'completed' and exists (
        select from app.stages as s where s.tenant_id = new.tenant_id and s.project_id = new.id and s.status <> 'completed'
    ) then
        raise exception using
            errcode = 'PT409', message = format('Project %s still has stages to complete.', new.project_code);
    end if;
    return new;
end;
$$;

drop trigger if exists trg_projects_100_status on app.projects;
create trigger trg_projects_100_status before update of status on app.projects
for each row execute function internal.tg_projects__status();

-- SLA sweep (seed 003 §8.1 scenario 4): active stages past due become overdue; the status change records the
-- stage.overdue event (the escalation) once, so running the sweep again changes nothing more. The worker (as
-- pgpsa_worker) runs it once per tenant with that tenant set; it runs as the owner in that tenant only.
create or replace function api.sla_sweep() returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
    marked integer;
begin
    update app.stages as s set status = 'overdue', escalated_at = now()
    where s.tenant_id = internal.current_tenant_id() and s.status in ('active', 'revision') and s.due_at < now();
    get diagnostics marked = row_count;
    -- The escalation job's fallback: a stage overdue for 24 h whose managers were not told is escalated now.
    return marked + coalesce((
        select sum(api.escalate_stage(s.id)) from app.stages as s
        where s.tenant_id = internal.current_tenant_id() and s.status = 'overdue' and s.managers_told_at is null
          and s.escalated_at <= now() - interval '24 hours'
    ), 0);
end;
$$;

grant execute on function internal.start_stage(uuid, uuid) to pgpsa_door_api;

grant execute on function internal.stage_open_tasks(uuid, uuid), internal.find_stage(uuid, uuid) to pgpsa_door_api;
