-- Demo delivery: a template per project type, and projects in several states so health shows all three colours
-- (green: nothing late; yellow: 1-2 overdue tasks; red: 3+). Written through the api as the demo manager.
-- Idempotent: templates by project type, projects by name; every later step only moves what has not moved yet.
-- Due dates count from each project's start date, so the colours hold on the day the seed first runs.

select api.create_template(d.template)
from (
    values
    ('{"name": "Banner print", "project_type": "banner", "description": "Vinyl and fabric banners, proof to install",
       "stages": [
         {"stage_code": "brief", "name": "Brief check", "sla_hours": 24, "tasks": [
           {"title": "Confirm brief and artwork specs", "kind": "task", "billing_type": "non_billable",
            "due_offset_days": 0, "estimated_hours": 0.5}]},
         {"stage_code": "design", "name": "Design proof", "sla_hours": 48, "tasks": [
           {"title": "Design banner layout", "kind": "task", "billing_type": "hourly", "hourly_rate": 85,
            "due_offset_days": 1, "estimated_hours": 3},
           {"title": "Proof PDF", "kind": "document", "billing_type": "fixed", "fixed_amount": 40,
            "due_offset_days": 2}]},
         {"stage_code": "approval", "name": "Client approval", "sla_hours": 72, "tasks": [
           {"title": "Client proof approval", "kind": "approval", "billing_type": "milestone", "fixed_amount": 150,
            "due_offset_days": 3}]},
         {"stage_code": "production", "name": "Print and finish", "sla_hours": 48, "tasks": [
           {"title": "Print banner", "kind": "task", "billing_type": "fixed", "fixed_amount": 220,
            "due_offset_days": 5, "estimated_hours": 2},
           {"title": "Hem and grommets", "kind": "task", "billing_type": "fixed", "fixed_amount": 60,
            "due_offset_days": 5, "estimated_hours": 1}]},
         {"stage_code": "delivery", "name": "Delivery", "sla_hours": 24, "tasks": [
           {"title": "Deliver and install", "kind": "task", "billing_type": "hourly", "hourly_rate": 65,
            "due_offset_days": 7, "estimated_hours": 1.5}]}]}'::jsonb),
    ('{"name": "Brand identity", "project_type": "brand_identity", "description": "Logo, palette and guidelines",
       "stages": [
         {"stage_code": "discovery", "name": "Discovery", "sla_hours": 72, "tasks": [
           {"title": "Discovery workshop", "kind": "task", "billing_type": "hourly", "hourly_rate": 120,
            "due_offset_days": 2, "estimated_hours": 4},
           {"title": "Moodboard", "kind": "document", "billing_type": "non_billable", "due_offset_days": 4}]},
         {"stage_code": "concepts", "name": "Concepts", "sla_hours": 120, "tasks": [
           {"title": "Logo concepts", "kind": "task", "billing_type": "hourly", "hourly_rate": 120,
            "due_offset_days": 10, "estimated_hours": 16},
           {"title": "Concept approval", "kind": "approval", "billing_type": "milestone", "fixed_amount": 1500,
            "due_offset_days": 12}]},
         {"stage_code": "guidelines", "name": "Guidelines", "sla_hours": 120, "tasks": [
           {"title": "Brand guidelines PDF", "kind": "document", "billing_type": "fixed", "fixed_amount": 2000,
            "due_offset_days": 20, "estimated_hours": 12},
           {"title": "Final approval", "kind": "approval", "billing_type": "milestone", "fixed_amount": 500,
            "due_offset_days": 22}]}]}'::jsonb),
    ('{"name": "Signage", "project_type": "signage", "description": "Survey, drawings, permit, fabrication, install",
       "stages": [
         {"stage_code": "survey", "name": "Site survey", "sla_hours": 48, "tasks": [
           {"title": "Site survey", "kind": "task", "billing_type": "hourly", "hourly_rate": 75,
            "due_offset_days": 1, "estimated_hours": 2},
           {"title": "Survey photos", "kind": "document", "billing_type": "non_billable", "due_offset_days": 1}]},
         {"stage_code": "design", "name": "Sign drawings", "sla_hours": 72, "tasks": [
           {"title": "Sign drawings", "kind": "task", "billing_type": "hourly", "hourly_rate": 90,
            "due_offset_days": 4, "estimated_hours": 6}]},
         {"stage_code": "approval", "name": "Permit and client approval", "sla_hours": 72, "tasks": [
           {"title": "Permit and client approval", "kind": "approval", "billing_type": "milestone",
            "fixed_amount": 300, "due_offset_days": 6}]},
         {"stage_code": "fabrication", "name": "Fabrication", "sla_hours": 120, "tasks": [
           {"title": "Fabricate sign", "kind": "task", "billing_type": "fixed", "fixed_amount": 1800,
            "due_offset_days": 12, "estimated_hours": 10},
           {"title": "QC check", "kind": "task", "billing_type": "non_billable", "due_offset_days": 13}]},
         {"stage_code": "install", "name": "Installation", "sla_hours": 48, "tasks": [
           {"title": "Install sign", "kind": "task", "billing_type": "hourly", "hourly_rate": 80,
            "due_offset_days": 15, "estimated_hours": 4}]}]}'::jsonb)
) as d (template)
where not exists (
    select from api.templates as t
    where t.project_type = d.template ->> 'project_type' and t.is_active
);

-- start_offset moves the start date, and with it every task's due date:
-- green   starts today (nothing due yet);
-- yellow  started 3 days ago: the brand workshop (offset 2) is late, the moodboard (offset 4) is not;
-- red     started 30 days ago: every signage task is late;
-- the completed, planning and on-hold projects have no open late work.
select
    api.create_project(jsonb_build_object(
        'name', d.name,
        'template_id', t.id,
        'client_id', c.id,
        'start_date', current_date + d.start_offset,
        'due_date', current_date + d.start_offset + d.days,
        'budget_hours', d.budget_hours
    ))
from (
    values
    ('Bloom spring window banner', 'banner', 'BLOOM', 0, 10, 8),
    ('Echo Coffee rebrand', 'brand_identity', 'ECHO', -3, 30, 40),
    ('City Hall wayfinding signs', 'signage', 'CITYHALL', -30, 20, 30),
    ('Acme trade show banner', 'banner', 'ACME', -10, 8, 8),
    ('Delta Events stage backdrop', 'banner', 'DELTA-EV', 7, 10, 8),
    ('Foxtrot gym signage', 'signage', 'FOXTROT', 2, 20, 25)
) as d (name, project_type, account_code, start_offset, days, budget_hours)
inner join api.templates as t on d.project_type = t.project_type and t.is_active
left join api.clients as c on d.account_code = c.account_code and c.archived_at is null
where not exists (select from api.projects as p where p.name = d.name);

-- Work under way: the first stage started in the green, yellow and red projects.
select api.start_stage(s.project_id, s.id)
from api.stages as s
inner join api.projects as p on s.project_id = p.id
where
    p.name in ('Bloom spring window banner', 'Echo Coffee rebrand', 'City Hall wayfinding signs')
    and s.sequence = 1 and s.status = 'pending';

select api.update_project(p.id, '{"status": "on_hold"}')
from api.projects as p
where p.name = 'Foxtrot gym signage' and p.status = 'planning';

-- Design and survey work goes to the demo designer, print and install to production (the staff directory,
-- api.users, is readable by every staff member).
select api.update_task(t.id, jsonb_build_object('assignee_ids', jsonb_build_array(u.id)))
from api.tasks as t
inner join api.projects as p on t.project_id = p.id
inner join api.users as u
    on u.email = case
        when t.title in ('Print banner', 'Hem and grommets', 'Deliver and install', 'Fabricate sign', 'Install sign')
            then 'production@demo.test'
        else 'designer@demo.test'
    end
where p.status <> 'completed' and t.assignee_ids = '{}' and t.kind <> 'approval';

select api.update_task(t.id, '{"status": "in_progress"}')
from api.tasks as t
inner join api.projects as p on t.project_id = p.id
where
    t.title in ('Confirm brief and artwork specs', 'Discovery workshop', 'Site survey')
    and p.name <> 'Acme trade show banner' and t.status = 'todo';

select api.log_time(t.id, d.entry)
from api.tasks as t
inner join api.projects as p on t.project_id = p.id
inner join (
    values
    ('Echo Coffee rebrand', 'Discovery workshop', '{"hours": 2.5, "note": "Workshop with the owners"}'::jsonb),
    ('City Hall wayfinding signs', 'Site survey', '{"hours": 1.75, "note": "Measured the lobby walls"}'::jsonb)
) as d (project_name, task_title, entry) on p.name = d.project_name and t.title = d.task_title
where not exists (select from api.time_entries as e where e.task_id = t.id);

select api.add_comment(t.id, '{"body": "Client prefers the darker green of their shopfront.", "client_visible": true}')
from api.tasks as t
inner join api.projects as p on t.project_id = p.id
where
    p.name = 'Bloom spring window banner' and t.title = 'Confirm brief and artwork specs'
    and not exists (select from api.comments as c where c.task_id = t.id);

-- A finished job: every stage walked in order (document tasks cancelled, as the demo uploads no files), so the
-- last completion closes the project.
do $$
declare
    s record;
begin
    for s in
        select st.id, st.project_id from api.stages as st join api.projects as p on p.id = st.project_id
        where p.name = 'Acme trade show banner' and p.status <> 'completed' and st.status <> 'completed'
        order by st.sequence
    loop
        perform api.start_stage(s.project_id, s.id) from api.stages as x where x.id = s.id and x.status = 'pending';
        perform api.update_task(t.id, '{"status": "cancelled"}')
        from api.tasks as t where t.stage_id = s.id and t.kind = 'document' and t.status = 'todo';
        perform api.update_task(t.id, '{"status": "in_progress"}')
        from api.tasks as t where t.stage_id = s.id and t.status = 'todo';
        perform api.update_task(t.id, '{"status": "completed"}')
        from api.tasks as t where t.stage_id = s.id and t.status = 'in_progress';
        perform api.complete_stage(s.project_id, s.id);
    end loop;
end
$$;
