-- Time entries (seed 000: hourly tasks only, at least 0.25 hours, frozen once the task is on an invoice) and
-- comments (a client contact's comment is always client_visible).

create or replace function internal.task_billing(p_tenant_id uuid, p_task_id uuid)
returns table (title text, billing_type text, invoice_id uuid)
language sql stable security definer set search_path = ''
begin atomic
    select
        t.title,
        t.billing_type,
        t.invoice_id
    from app.tasks as t
    where t.tenant_id = p_tenant_id and t.id = p_task_id;
end;

-- As the owner: the checks read tasks, projects and contracts the writer may not see (a designer logging time).
create or replace function internal.tg_time_entries__validate() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    task record;
begin
    if tg_op in ('UPDATE', 'DELETE') then
        select * into task from internal.task_billing(old.tenant_id, old.task_id);
        if task.invoice_id is not null then
            raise exception using
                errcode = 'PT409',
                message = format('Task "%s" is on an invoice, so its time entries can no longer change.', task.title),
                hint = 'Delete the draft invoice to release the task, or log a correction on another task.';
        end if;
    end if;
    if tg_op = 'DELETE' then
        return old;
    end if;
    select * into task from internal.task_billing(new.tenant_id, new.task_id);
    if task.invoice_id is not null then
        raise exception using
            errcode = 'PT409',
            message = format('Task "%s" is on an invoice, so no time can be logged on it.', task.title);
    end if;
    if task.billing_type is distinct from 'hourly' then
        raise exception using
            errcode = 'PT422',
            message = 'Time can be logged only on hourly tasks.',
            hint = format('Task "%s" is billed %s.', task.title, coalesce(task.billing_type, 'unknown'));
    end if;
    -- Time against a contract line bills that line's owner: it must be the client of the task's project.
    if new.contract_line_id is not null and not exists (
        select from app.contract_lines as l
        join app.contracts as c on c.tenant_id = l.tenant_id and c.id = l.contract_id
        join app.tasks as t on t.tenant_id = new.tenant_id and t.id = new.task_id
        join app.projects as p on p.tenant_id = t.tenant_id and p.id = t.project_id
        where l.tenant_id = new.tenant_id and l.id = new.contract_line_id and c.owner_client_id = p.client_id
    ) then
        raise exception using
            errcode = 'PT422', message = 'Time is logged against a contract line of the client whose project it is.';
    end if;
    if new.hours < 0.25 then
        raise exception using errcode = 'PT422', message = 'A time entry is at least 0.25 hours.';
    end if;
    return new;
end;
$$;

drop trigger if exists trg_time_entries_100_validate on app.time_entries;
create trigger trg_time_entries_100_validate before insert or update or delete on app.time_entries
for each row execute function internal.tg_time_entries__validate();

create or replace function api.log_time(p_task_id uuid, p jsonb) returns uuid
language sql volatile set search_path = ''
begin atomic
    select internal.require_permission('tasks:write');
    insert into app.time_entries (tenant_id, task_id, user_id, work_date, hours, note, contract_line_id)
    values (
        internal.current_tenant_id(), p_task_id, coalesce((p ->> 'user_id')::uuid, internal.current_user_id()),
        coalesce((p ->> 'work_date')::date, current_date), (p ->> 'hours')::numeric, p ->> 'note',
        (p ->> 'contract_line_id')::uuid
    )
    returning id;
end;

create or replace function api.update_time_entry(p_id uuid, p jsonb) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_permission('tasks:write');
    update app.time_entries as e set
        hours = case when p ? 'hours' then (p ->> 'hours')::numeric else e.hours end,
        work_date = case when p ? 'work_date' then (p ->> 'work_date')::date else e.work_date end,
        note = case when p ? 'note' then p ->> 'note' else e.note end
    where e.tenant_id = internal.current_tenant_id() and e.id = p_id;
    if not found then
        perform internal.not_found('time entry', p_id);
    end if;
    return p_id;
end;
$$;

create or replace function api.delete_time_entry(p_id uuid) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_permission('tasks:write');
    delete from app.time_entries as e where e.tenant_id = internal.current_tenant_id() and e.id = p_id;
    if not found then
        perform internal.not_found('time entry', p_id);
    end if;
    return p_id;
end;
$$;

-- A contact's comment is made client_visible on the way in, and cannot be hidden later.
create or replace function internal.tg_comments__client_visible() returns trigger
language plpgsql set search_path = ''
as $$
begin
    if new.author_contact_id is not null then
        if tg_op = 'UPDATE' and not new.client_visible then
            raise exception using
                errcode = 'PT422', message = 'A client contact''s comment is always visible to the client.';
        end if;
        new.client_visible := true;
    end if;
    return new;
end;
$$;

drop trigger if exists trg_comments_100_client_visible on app.comments;
create trigger trg_comments_100_client_visible before insert or update on app.comments
for each row execute function internal.tg_comments__client_visible();

create or replace function api.add_comment(p_task_id uuid, p jsonb) returns uuid
language sql volatile set search_path = ''
begin atomic
    select internal.require_permission('tasks:write');
    insert into app.comments (tenant_id, task_id, author_user_id, body, client_visible)
    values (
        internal.current_tenant_id(), p_task_id, internal.current_user_id(), p ->> 'body',
        coalesce((p ->> 'client_visible')::boolean, false)
    )
    returning id;
end;

grant execute on function internal.task_billing(uuid, uuid) to pgpsa_door_api;
