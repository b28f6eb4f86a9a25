-- Tasks: the status lifecycle, document tasks need an attachment, the activity log (and appending to it), assignees,
-- and the api.

-- A designer (seed 003 §7.1) sees and changes only the tasks assigned to them; tasks:all lifts that. The rule's one
-- statement: the task policies (db/policies/0500_delivery.sql) ask it, and so does owner-run code that writes a
-- task's history for the caller (internal.log_task_note), which RLS's row rules do not bind.
create or replace function internal.task_in_reach(p_assignee_ids uuid[]) returns boolean
language sql stable parallel safe
begin atomic
    select internal.has_permission('tasks:all') or internal.current_user_id() = any(p_assignee_ids);
end;

-- The checks below must not depend on what the writer may see, so they read as the owner.
create or replace function internal.task_has_attachment(p_tenant_id uuid, p_task_id uuid) returns boolean
language sql stable security definer set search_path = ''
begin atomic
    select exists(
        select from app.files as f
        where f.tenant_id = p_tenant_id and f.task_id = p_task_id and f.state = 'available'
    );
end;

-- How work is billed (billing type, fixed amount, hourly rate) of a task or a template task is set only with
-- billing:write when a request sets it (through the api door: a designer asking 9,999/h on their own task is
-- refused); owner-run rules, like cloning a template into a project, copy it under their own authority.
create or replace function internal.tg__billing_fields() returns trigger
language plpgsql set search_path = ''
as $$
begin
    if current_user = 'pgpsa_door_api' and (
        (tg_op = 'INSERT' and (new.billing_type <> 'non_billable' or new.fixed_amount is not null
            or new.hourly_rate is not null))
        or (tg_op = 'UPDATE' and (new.billing_type, new.fixed_amount, new.hourly_rate)
            is distinct from (old.billing_type, old.fixed_amount, old.hourly_rate))
    ) and not internal.has_permission('billing:write') then
        raise exception using
            errcode = 'PT403',
            message = 'You need the billing:write permission to set how work is billed (billing type, fixed amount, '
            || 'hourly rate).',
            hint = 'Ask finance, a manager or an admin of your firm to set it.';
    end if;
    return new;
end;
$$;

drop trigger if exists trg_tasks_100_billing_fields on app.tasks;
create trigger trg_tasks_100_billing_fields before insert or update on app.tasks
for each row execute function internal.tg__billing_fields();
drop trigger if exists trg_template_tasks_100_billing_fields on app.template_tasks;
create trigger trg_template_tasks_100_billing_fields before insert or update on app.template_tasks
for each row execute function internal.tg__billing_fields();

create or replace function internal.tg_tasks__validate() returns trigger
language plpgsql set search_path = ''
as $$
declare
    stage_project uuid;
    refusal text;
begin
    if tg_op = 'INSERT' or new.stage_id is distinct from old.stage_id then
        select s.project_id into stage_project from app.stages as s
        where s.tenant_id = new.tenant_id and s.id = new.stage_id;
        new.project_id := coalesce(new.project_id, stage_project);
        if new.project_id is distinct from stage_project then
            raise exception using errcode = 'PT422', message = 'A task belongs to a stage of its own project.';
        end if;
    end if;
    if tg_op = 'UPDATE' and new.status is distinct from old.status then
        refusal := internal.transition_refusal('app.task_status_transitions', old.status, new.status);
        if refusal is not null then
            raise exception using
                errcode = 'PT409', message = format('A task cannot go from %s to %s.', old.status, new.status),
                hint = refusal;
        end if;
        if new.status = 'in_progress' then
            new.started_at := coalesce(new.started_at, now());
        end if;
        if new.status = any(internal.task_done_statuses()) then
            new.completed_at := now();
        else
            new.completed_at := null;
        end if;
    end if;
    if new.kind = 'document' and new.status in ('completed', 'approved', 'client_approved')
        and (tg_op = 'INSERT' or new.status is distinct from old.status)
        and not internal.task_has_attachment(new.tenant_id, new.id) then
        raise exception using
            errcode = 'PT422',
            message = format('Document task "%s" cannot be completed without an attachment.', new.title),
            hint = 'Upload the document and confirm it first.';
    end if;
    return new;
end;
$$;

drop trigger if exists trg_tasks_100_validate on app.tasks;
create trigger trg_tasks_100_validate before insert or update on app.tasks
for each row execute function internal.tg_tasks__validate();

-- Every task change appends to task_activity_logs; a status change also records a domain event.
-- Statement-level over the transition tables: billing 2,000 tasks logs them in one insert.
-- Only this trigger writes the log (as the owner; nobody holds INSERT on it), so the log is derived from task
-- changes, which the audit log already records with request and IP: the log itself is not audited a second time.
create or replace function internal.tg_tasks__activity() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
    if tg_op = 'INSERT' then
        insert into app.task_activity_logs (
            tenant_id, task_id, actor_user_id, actor_contact_id, action, to_status, changes
        )
        select n.tenant_id, n.id, internal.current_user_id(), internal.current_contact_id(), 'created', n.status,
            to_jsonb(n) - array['tenant_id', 'id', 'created_at', 'updated_at']
        from new_rows as n;
        return null;
    end if;
    -- Each row's JSON is built once (materialized), not again for every key the diff looks at.
    with pairs as materialized (
        select
            n.tenant_id, n.id, o.status as from_status, n.status as to_status,
            case
                when n.status is distinct from o.status then 'status_changed'
                when n.assignee_ids is distinct from o.assignee_ids then 'assignees_changed'
                when n.invoice_id is distinct from o.invoice_id then 'billing_changed'
                else 'updated'
            end as action,
            to_jsonb(o) as oj, to_jsonb(n) as nj
        from old_rows as o
        join new_rows as n on o.tenant_id = n.tenant_id and o.id = n.id
    )
    insert into app.task_activity_logs (
        tenant_id, task_id, actor_user_id, actor_contact_id, action, from_status, to_status, changes
    )
    select
        p.tenant_id, p.id, internal.current_user_id(), internal.current_contact_id(), p.action, p.from_status,
        p.to_status, d.changes
    from pairs as p
    cross join lateral (
        select jsonb_object_agg(e.key, jsonb_build_array(p.oj -> e.key, e.value)) as changes
        from jsonb_each(p.nj) as e
        where e.value is distinct from p.oj -> e.key and e.key not in ('updated_at', 'started_at', 'completed_at')
    ) as d
    where d.changes is not null;
    perform internal.record_event(
        'task.status_changed', 'task', n.id,
        jsonb_build_object('project_id', n.project_id, 'stage_id', n.stage_id, 'from', o.status, 'to', n.status)
    )
    from old_rows as o
    join new_rows as n on o.tenant_id = n.tenant_id and o.id = n.id
    where n.status is distinct from o.status;
    return null;
end;
$$;

-- A derived log (see db/policies/0100_tenant_tables.sql): append-only whoever writes, the owner too.
drop trigger if exists trg_task_activity_logs_100_derived_log on app.task_activity_logs;
create trigger trg_task_activity_logs_100_derived_log before update or delete on app.task_activity_logs
for each row execute function internal.tg__derived_log();
drop trigger if exists trg_task_activity_logs_100_derived_log_truncate on app.task_activity_logs;
create trigger trg_task_activity_logs_100_derived_log_truncate before truncate on app.task_activity_logs
for each statement execute function internal.tg__derived_log();

drop trigger if exists trg_tasks_800_activity on app.tasks;
drop trigger if exists trg_tasks_800_activity_insert on app.tasks;
create trigger trg_tasks_800_activity_insert after insert on app.tasks referencing new table as new_rows
for each statement execute function internal.tg_tasks__activity();
drop trigger if exists trg_tasks_800_activity_update on app.tasks;
create trigger trg_tasks_800_activity_update after update on app.tasks
referencing old table as old_rows new table as new_rows
for each statement execute function internal.tg_tasks__activity();

-- POST /api/v1/tasks/{id}/activity (seed 003 §2.4): append to a task's history. A comment and an upload go through
-- their own doors (api.add_comment, api.create_file: the same rules and limits), a note is only a log entry. Each
-- leaves its row in the activity log: a comment by the comments' trigger; a note and an upload request by the two
-- owner-run functions below, since only the owner writes the log (a derived log: no door may insert into it).
-- Not logged by a trigger on files: a file attached by POST /projects/{id}/files is not an activity entry.

-- As the owner (it writes the derived log), for the caller: it checks the caller's permission (tasks:write), stays in
-- the caller's tenant, and finds the task only where the caller may work on it (internal.task_in_reach, the rule
-- RLS applies to the door), else PT404 in the words of a missing task.
create or replace function internal.log_task_note(p_task_id uuid, p_body app.note) returns bigint
language plpgsql volatile security definer set search_path = ''
as $$
declare
    new_id bigint;
begin
    perform internal.require_access('tasks', 'update');
    if not exists (
        select from app.tasks as t
        where t.tenant_id = internal.current_tenant_id() and t.id = p_task_id and internal.task_in_reach(t.assignee_ids)
    ) then
        perform internal.not_found('task', p_task_id);
    end if;
    if coalesce(btrim(p_body), '') = '' then
        raise exception using errcode = '23502', message = 'body is required.', column = 'body';
    end if;
    insert into app.task_activity_logs (tenant_id, task_id, actor_user_id, actor_contact_id, action, changes)
    values (
        internal.current_tenant_id(), p_task_id, internal.current_user_id(), internal.current_contact_id(), 'note',
        jsonb_build_object('body', p_body)
    )
    returning id into new_id;
    return new_id;
end;
$$;

-- As the owner, for the caller, as above: logs the upload the caller has just started on a task it may work on (a
-- pending file of its own, logged once), with the file's id and name read from the file's row.
create or replace function internal.log_task_upload(p_file_id uuid) returns bigint
language plpgsql volatile security definer set search_path = ''
as $$
declare
    upload record;
    new_id bigint;
begin
    perform internal.require_access('tasks', 'update');
    select f.tenant_id, f.id, f.task_id, f.file_name into upload
    from app.files as f
    inner join app.tasks as t on f.tenant_id = t.tenant_id and f.task_id = t.id
    where f.tenant_id = internal.current_tenant_id() and f.id = p_file_id and f.state = 'pending'
      and f.uploaded_by_user_id = internal.current_user_id() and internal.task_in_reach(t.assignee_ids)
      and not exists (
          select from app.task_activity_logs as l
          where l.tenant_id = f.tenant_id and l.task_id = f.task_id and l.action = 'upload_requested'
            and l.changes ->> 'file_id' = f.id::text
      );
    if upload.id is null then
        perform internal.not_found('file', p_file_id);
    end if;
    insert into app.task_activity_logs (tenant_id, task_id, actor_user_id, actor_contact_id, action, changes)
    values (
        upload.tenant_id, upload.task_id, internal.current_user_id(), internal.current_contact_id(),
        'upload_requested', jsonb_build_object('file_id', upload.id, 'file_name', upload.file_name)
    )
    returning id into new_id;
    return new_id;
end;
$$;

-- type comment: {body, client_visible}; note: {body}; upload: {file_name, content_type, size, visibility}, the file
-- attached to the task and its project (its storage key comes back for the service to sign the upload).
create or replace function api.add_task_activity(p_task_id uuid, p api.task_activity_create)
returns table (activity_id bigint, comment_id uuid, file_id uuid, storage_key text)
language plpgsql volatile set search_path = ''
as $$
declare
    entry_type text := p ->> 'type';
    own_fields text[] := case p ->> 'type'
        when 'comment' then array['type', 'body', 'client_visible']
        when 'note' then array['type', 'body']
        when 'upload' then array['type', 'file_name', 'content_type', 'size', 'visibility']
    end;
    stray text;
    upload record;
begin
    perform internal.require_access('tasks', 'update');
    perform internal.visible_task(p_task_id);
    if entry_type is null then
        raise exception using errcode = '23502', message = 'type is required.', column = 'type';
    end if;
    stray := (select k.key from jsonb_object_keys(p) as k (key) where k.key <> all(own_fields) order by 1 limit 1);
    if stray is not null then
        raise exception using
            errcode = '22023', message = format('%s is not a field of a %s.', stray, entry_type), column = stray;
    end if;
    if entry_type = 'comment' then
        comment_id := api.add_comment(p_task_id, p - 'type');
        activity_id := (
            select l.id from app.task_activity_logs as l
            where l.tenant_id = internal.current_tenant_id() and l.task_id = p_task_id and l.action = 'comment'
              and l.changes ->> 'comment_id' = comment_id::text
        );
    elsif entry_type = 'note' then
        if coalesce(jsonb_typeof(p -> 'body'), 'null') = 'null' then
            raise exception using errcode = '23502', message = 'body is required.', column = 'body';
        end if;
        activity_id := internal.log_task_note(p_task_id, p ->> 'body');
    else
        select f.file_id, f.storage_key into upload
        from api.create_file(
            (select t.project_id from app.tasks as t where t.tenant_id = internal.current_tenant_id() and t.id = p_task_id),
            p - 'type' || jsonb_build_object('task_id', p_task_id)
        ) as f;
        file_id := upload.file_id;
        storage_key := upload.storage_key;
        activity_id := internal.log_task_upload(upload.file_id);
    end if;
    return next;
end;
$$;

-- tasks.assignee_ids mirrors task_assignees (the record), so the designer policy needs no subquery.
-- Statement-level, so assigning three people updates the task (and its activity log) once.
create or replace function internal.tg_task_assignees__mirror() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    r record;
begin
    for r in execute format('select distinct tenant_id, task_id from %I', tg_argv[0]) loop
        update app.tasks as t
        set assignee_ids = coalesce((
            select array_agg(a.user_id order by a.user_id) from app.task_assignees as a
            where a.tenant_id = r.tenant_id and a.task_id = r.task_id
        ), '{}')
        where t.tenant_id = r.tenant_id and t.id = r.task_id;
    end loop;
    return null;
end;
$$;

drop trigger if exists trg_task_assignees_500_mirror_insert on app.task_assignees;
create trigger trg_task_assignees_500_mirror_insert after insert on app.task_assignees
referencing new table as changed_rows
for each statement execute function internal.tg_task_assignees__mirror('changed_rows');
drop trigger if exists trg_task_assignees_500_mirror_delete on app.task_assignees;
create trigger trg_task_assignees_500_mirror_delete after delete on app.task_assignees
referencing old table as changed_rows
for each statement execute function internal.tg_task_assignees__mirror('changed_rows');

create or replace function internal.set_task_assignees(p_task_id uuid, p_user_ids jsonb) returns void
language plpgsql volatile set search_path = ''
as $$
begin
    delete from app.task_assignees as a
    where a.tenant_id = internal.current_tenant_id() and a.task_id = p_task_id
      and a.user_id not in (select x::uuid from jsonb_array_elements_text(p_user_ids) as x);
    insert into app.task_assignees (tenant_id, task_id, user_id)
    select internal.current_tenant_id(), p_task_id, x::uuid from jsonb_array_elements_text(p_user_ids) as x
    on conflict do nothing;
end;
$$;

-- The id is made here, not returned by the insert: a designer may create a task they are not assigned to, which
-- they then cannot read back. Bodies are typed by their shapes (db/migrations/0016_shapes_delivery.sql).
drop function if exists api.create_task(jsonb);
create or replace function api.create_task(p api.task_create) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
    task uuid := gen_random_uuid();
begin
    perform internal.require_access('tasks', 'insert');
    insert into app.tasks (
        tenant_id, id, stage_id, title, description, kind, priority, due_date, estimated_hours, billing_type,
        fixed_amount, hourly_rate, client_visible
    ) values (
        internal.current_tenant_id(), task, (p ->> 'project_stage_id')::uuid, p ->> 'title', p ->> 'description',
        coalesce(p ->> 'kind', 'task'), coalesce(p ->> 'priority', 'normal'), (p ->> 'due_date')::date,
        (p ->> 'estimated_hours')::numeric, coalesce(p ->> 'billing_type', 'non_billable'),
        (p ->> 'fixed_amount')::numeric, (p ->> 'hourly_rate')::numeric,
        coalesce((p ->> 'client_visible')::boolean, false)
    );
    if p ? 'assignee_ids' then
        perform internal.set_task_assignees(task, p -> 'assignee_ids');
    end if;
    return task;
end;
$$;

drop function if exists api.update_task(uuid, jsonb);
create or replace function api.update_task(p_id uuid, p api.task_patch) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('tasks', 'update');
    update app.tasks as t set
        status = case when p ? 'status' then p ->> 'status' else t.status end,
        title = case when p ? 'title' then p ->> 'title' else t.title end,
        description = case when p ? 'description' then p ->> 'description' else t.description end,
        priority = case when p ? 'priority' then p ->> 'priority' else t.priority end,
        due_date = case when p ? 'due_date' then (p ->> 'due_date')::date else t.due_date end,
        estimated_hours = case when p ? 'estimated_hours' then (p ->> 'estimated_hours')::numeric else t.estimated_hours end,
        billing_type = case when p ? 'billing_type' then p ->> 'billing_type' else t.billing_type end,
        fixed_amount = case when p ? 'fixed_amount' then (p ->> 'fixed_amount')::numeric else t.fixed_amount end,
        hourly_rate = case when p ? 'hourly_rate' then (p ->> 'hourly_rate')::numeric else t.hourly_rate end,
        client_visible = case
            when p ? 'client_visible' then coalesce((p ->> 'client_visible')::boolean, false) else t.client_visible
        end
    where t.tenant_id = internal.current_tenant_id() and t.id = p_id;
    if not found then
        perform internal.not_found('task', p_id);
    end if;
    if p ? 'assignee_ids' then
        perform internal.set_task_assignees(p_id, p -> 'assignee_ids');
    end if;
    return p_id;
end;
$$;

grant execute on function internal.task_has_attachment(uuid, uuid), internal.set_task_assignees(uuid, jsonb) to
pgpsa_door_api;
grant execute on function internal.task_in_reach(uuid[]) to pgpsa_door_api, pgpsa_door_bi;
-- internal.log_task_note and internal.log_task_upload are owner-run: the reviewed allowlist
-- (db/policies/9000_doors.sql) grants them, to the api door only.
