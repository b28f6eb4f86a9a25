-- Templates and projects: create a template with its stages and tasks, and clone one into a new project.

-- Bodies are typed by their shapes (db/migrations/0016_shapes_delivery.sql): a call that does not conform is refused,
-- naming the field, before the function runs. Stages and their tasks are numbered in the order they are given.
drop function if exists api.create_template(jsonb);
create or replace function api.create_template(p api.template_create) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
    template uuid;
    stage_json jsonb;
    stage_no bigint;
    stage uuid;
begin
    perform internal.require_access('templates', 'insert');
    insert into app.templates (tenant_id, name, project_type, description)
    values (internal.current_tenant_id(), p ->> 'name', p ->> 'project_type', p ->> 'description')
    returning id into template;
    for stage_json, stage_no in select s.value, s.ordinality from jsonb_array_elements(coalesce(p -> 'stages', '[]'))
        with ordinality as s
    loop
        insert into app.template_stages (
            tenant_id, template_id, sequence, stage_code, name, sla_hours, requires_deposit
        ) values (
            internal.current_tenant_id(), template, stage_no, stage_json ->> 'stage_code', stage_json ->> 'name',
            (stage_json ->> 'sla_hours')::integer, coalesce((stage_json ->> 'requires_deposit')::boolean, false)
        ) returning id into stage;
        insert into app.template_tasks (
            tenant_id, template_stage_id, sequence, title, description, kind, billing_type, fixed_amount,
            hourly_rate, due_offset_days, estimated_hours
        )
        select
            internal.current_tenant_id(), stage, t.ordinality, t.value ->> 'title', t.value ->> 'description',
            coalesce(t.value ->> 'kind', 'task'), coalesce(t.value ->> 'billing_type', 'non_billable'),
            (t.value ->> 'fixed_amount')::numeric, (t.value ->> 'hourly_rate')::numeric,
            coalesce((t.value ->> 'due_offset_days')::integer, 0), (t.value ->> 'estimated_hours')::numeric
        from jsonb_array_elements(coalesce(stage_json -> 'tasks', '[]')) with ordinality as t;
    end loop;
    return template;
end;
$$;

-- The active template for a project type, if any (an order of type X gets template X).
create or replace function internal.template_for_type(p_project_type text) returns uuid
language sql stable set search_path = ''
begin atomic
    select t.id from app.templates as t
    where t.tenant_id = internal.current_tenant_id() and t.project_type = p_project_type and t.is_active;
end;

-- Copies the template's stages and tasks into the project; due offsets count from the project's start date.
-- As the owner: a clone copies what the template says (its billing too, set by someone allowed to), whoever
-- creates the project; the door that calls it checked projects:write, and it stays in the current tenant.
create or replace function internal.clone_template(p_project_id uuid, p_template_id uuid) returns void
language sql volatile security definer set search_path = ''
begin atomic
    insert into app.stages (tenant_id, project_id, sequence, stage_code, name, sla_hours, requires_deposit)
    select
        ts.tenant_id,
        p_project_id,
        ts.sequence,
        ts.stage_code,
        ts.name,
        ts.sla_hours,
        ts.requires_deposit
    from app.template_stages as ts
    where ts.tenant_id = internal.current_tenant_id() and ts.template_id = p_template_id;
    insert into app.tasks (
        tenant_id, project_id, stage_id, sequence, title, description, kind, billing_type, fixed_amount,
        hourly_rate, due_date, estimated_hours
    )
    select
        tt.tenant_id,
        p_project_id,
        s.id,
        tt.sequence,
        tt.title,
        tt.description,
        tt.kind,
        tt.billing_type,
        tt.fixed_amount,
        tt.hourly_rate,
        pr.start_date + tt.due_offset_days as due_date,
        tt.estimated_hours
    from app.template_tasks as tt
    inner join app.template_stages as ts on tt.tenant_id = ts.tenant_id and tt.template_stage_id = ts.id
    inner join app.projects as pr on tt.tenant_id = pr.tenant_id and pr.id = p_project_id
    inner join app.stages as s on pr.tenant_id = s.tenant_id and pr.id = s.project_id and ts.stage_code = s.stage_code
    where tt.tenant_id = internal.current_tenant_id() and ts.template_id = p_template_id;
end;

-- p: {name, project_type, client_id, order_id, template_id, start_date, due_date, budget_hours}.
-- With template_id the project gets the template's stages and tasks; without, it starts empty.
create or replace function internal.create_project(p jsonb) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
    project uuid;
    template_type text;
begin
    if p ->> 'template_id' is not null then
        select t.project_type into template_type from app.templates as t
        where t.tenant_id = internal.current_tenant_id() and t.id = (p ->> 'template_id')::uuid;
        if template_type is null then
            perform internal.not_found('template', (p ->> 'template_id')::uuid);
        end if;
    end if;
    insert into app.projects (
        tenant_id, project_code, name, project_type, client_id, order_id, template_id, start_date, due_date,
        budget_hours
    ) values (
        internal.current_tenant_id(), internal.next_document_number('project'), p ->> 'name',
        coalesce(p ->> 'project_type', template_type), (p ->> 'client_id')::uuid, (p ->> 'order_id')::uuid,
        (p ->> 'template_id')::uuid, coalesce((p ->> 'start_date')::date, current_date), (p ->> 'due_date')::date,
        (p ->> 'budget_hours')::numeric
    ) returning id into project;
    if p ->> 'template_id' is not null then
        perform internal.clone_template(project, (p ->> 'template_id')::uuid);
    end if;
    perform internal.record_event('project.created', 'project', project, jsonb_build_object('template_id', p -> 'template_id'));
    return project;
end;
$$;

-- The door: checks projects:write, then calls internal.create_project (which rules call directly).
drop function if exists api.create_project(jsonb);
create or replace function api.create_project(p api.project_create) returns uuid
language sql volatile set search_path = ''
begin atomic
    select internal.require_access('projects', 'insert');
    select internal.create_project(p);
end;

drop function if exists api.update_project(uuid, jsonb);
create or replace function api.update_project(p_id uuid, p api.project_patch) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('projects', 'update');
    update app.projects as pr set
        name = case when p ? 'name' then p ->> 'name' else pr.name end,
        due_date = case when p ? 'due_date' then (p ->> 'due_date')::date else pr.due_date end,
        budget_hours = case when p ? 'budget_hours' then (p ->> 'budget_hours')::numeric else pr.budget_hours end,
        status = case when p ? 'status' then p ->> 'status' else pr.status end
    where pr.tenant_id = internal.current_tenant_id() and pr.id = p_id;
    if not found then
        perform internal.not_found('project', p_id);
    end if;
    return p_id;
end;
$$;

grant execute on function internal.create_project(jsonb) to pgpsa_door_api;
grant execute on function internal.template_for_type(text), internal.clone_template(uuid, uuid) to pgpsa_door_api;
