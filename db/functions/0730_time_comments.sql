-- Time entries (seed 000: hourly tasks only, at least 0.25 hours, frozen once the task is on an invoice) and
-- comments (a client contact's comment is always client_visible), both only on a task the caller may see.

drop function if exists internal.task_billing(uuid, uuid);

-- A task the caller may see (a designer: one assigned to them), or PT404 in the very words used for a task that
-- does not exist: what hangs off a task (time, comments, attachments) follows the task's visibility, and a
-- refusal never tells the caller about a task it cannot see. Runs as the caller's door, so RLS decides.
create or replace function internal.visible_task(p_task_id uuid) returns uuid
language plpgsql stable set search_path = ''
as $$
begin
    if p_task_id is null or not exists (
        select from app.tasks as t where t.tenant_id = internal.current_tenant_id() and t.id = p_task_id
    ) then
        perform internal.not_found('task', p_task_id);
    end if;
    return p_task_id;
end;
$$;

-- As the owner: the checks read tasks, projects and contracts the writer may not see (finance correcting time).
-- The task's row is locked FOR SHARE first, so an entry and a draft invoice billing its task serialise: either the
-- entry commits before the draft locks the task (and is billed), or it waits for the draft and, the task now being
-- on an invoice, is refused. Hours on invoices plus unbilled hours are always the hours logged. Time against a
-- contract line does the same with its assignment, which contract billing locks.
create or replace function internal.tg_time_entries__validate() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    task record;
    entry record;
begin
    if tg_op in ('UPDATE', 'DELETE') then
        select t.title, t.invoice_id into task from app.tasks as t
        where t.tenant_id = old.tenant_id and t.id = old.task_id for share;
        if task.invoice_id is not null then
            raise exception using
                errcode = 'PT409',
                message = format('Task "%s" is on an invoice, so its time entries can no longer change.', task.title),
                hint = 'Delete the draft invoice to release the task, or log a correction on another task.';
        end if;
        perform internal.refuse_billed_contract_time(old);
    end if;
    if tg_op = 'DELETE' then
        return old;
    end if;
    select t.title, t.billing_type, t.invoice_id into task from app.tasks as t
    where t.tenant_id = new.tenant_id and t.id = new.task_id for share;
    if not found then
        perform internal.not_found('task', new.task_id);
    end if;
    if task.invoice_id is not null then
        raise exception using
            errcode = 'PT409',
            message = format('Task "%s" is on an invoice, so no time can be logged on it.', task.title);
    end if;
    if task.billing_type is distinct from 'hourly' then
        raise exception using
            errcode = 'PT422',
            message = 'Time can be logged only on hourly tasks.',
            hint = format('Task "%s" is billed %s.', task.title, task.billing_type);
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
    perform internal.refuse_billed_contract_time(new);
    if new.hours < 0.25 then
        raise exception using errcode = 'PT422', message = 'A time entry is at least 0.25 hours.';
    end if;
    return new;
end;
$$;

-- Time against a contract line on a day its assignment is already billed for would never be billed: refused. The
-- assignment's row is locked FOR SHARE, so billing it (which locks it for update first) and logging serialise.
create or replace function internal.refuse_billed_contract_time(p_entry app.time_entries) returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
    assignment uuid;
begin
    if p_entry.contract_line_id is null then
        return;
    end if;
    select cc.id into assignment
    from app.contract_lines as l
    join app.client_contracts as cc on cc.tenant_id = l.tenant_id and cc.contract_id = l.contract_id
    where l.tenant_id = p_entry.tenant_id and l.id = p_entry.contract_line_id
      and p_entry.work_date between cc.start_date and coalesce(cc.end_date, p_entry.work_date)
    order by cc.start_date desc
    limit 1
    for share of cc;
    if exists (
        select from app.contract_billings as b
        where b.tenant_id = p_entry.tenant_id and b.client_contract_id = assignment
          and p_entry.work_date between b.period_start and b.period_end
    ) then
        raise exception using
            errcode = 'PT409',
            message = format('The contract is already billed for %s, so its time on that day can no longer change.',
                p_entry.work_date),
            hint = 'Void the contract invoice to release the period, or log the time without the contract line.';
    end if;
end;
$$;

drop trigger if exists trg_time_entries_100_validate on app.time_entries;
create trigger trg_time_entries_100_validate before insert or update or delete on app.time_entries
for each row execute function internal.tg_time_entries__validate();

-- Bodies are typed by their shapes (db/migrations/0016_shapes_delivery.sql).
drop function if exists api.log_time(uuid, jsonb);
create or replace function api.log_time(p_task_id uuid, p api.time_entry_create) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
    new_id uuid;
begin
    perform internal.require_access('time_entries', 'insert');
    perform internal.visible_task(p_task_id);
    insert into app.time_entries (tenant_id, task_id, user_id, work_date, hours, note, contract_line_id)
    values (
        internal.current_tenant_id(), p_task_id, coalesce((p ->> 'user_id')::uuid, internal.current_user_id()),
        coalesce((p ->> 'work_date')::date, current_date), (p ->> 'hours')::numeric, p ->> 'note',
        (p ->> 'contract_line_id')::uuid
    )
    returning id into new_id;
    return new_id;
end;
$$;

-- The entry (yours, unless you hold tasks:all) on a task you may see, or PT404.
create or replace function internal.visible_time_entry(p_id uuid) returns uuid
language plpgsql stable set search_path = ''
as $$
declare
    task uuid;
begin
    select e.task_id into task from app.time_entries as e
    where e.tenant_id = internal.current_tenant_id() and e.id = p_id;
    if task is null or not exists (
        select from app.tasks as t where t.tenant_id = internal.current_tenant_id() and t.id = task
    ) then
        perform internal.not_found('time entry', p_id);
    end if;
    return p_id;
end;
$$;

drop function if exists api.update_time_entry(uuid, jsonb);
create or replace function api.update_time_entry(p_id uuid, p api.time_entry_patch) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('time_entries', 'update');
    perform internal.visible_time_entry(p_id);
    update app.time_entries as e set
        hours = case when p ? 'hours' then (p ->> 'hours')::numeric else e.hours end,
        work_date = case when p ? 'work_date' then (p ->> 'work_date')::date else e.work_date end,
        note = case when p ? 'note' then p ->> 'note' else e.note end
    where e.tenant_id = internal.current_tenant_id() and e.id = p_id;
    return p_id;
end;
$$;

create or replace function api.delete_time_entry(p_id uuid) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('time_entries', 'delete');
    perform internal.visible_time_entry(p_id);
    delete from app.time_entries as e where e.tenant_id = internal.current_tenant_id() and e.id = p_id;
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

drop function if exists api.add_comment(uuid, jsonb);
create or replace function api.add_comment(p_task_id uuid, p api.comment_create) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
    new_id uuid;
begin
    perform internal.require_access('comments', 'insert');
    perform internal.visible_task(p_task_id);
    insert into app.comments (tenant_id, task_id, author_user_id, body, client_visible)
    values (
        internal.current_tenant_id(), p_task_id, internal.current_user_id(), p ->> 'body',
        coalesce((p ->> 'client_visible')::boolean, false)
    )
    returning id into new_id;
    return new_id;
end;
$$;

-- A comment is part of its task's history: the activity log (a derived log, written only as the owner) gets a row for
-- each, naming the comment (its text stays in app.comments, where who may read it is decided).
create or replace function internal.tg_comments__activity() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
    insert into app.task_activity_logs (tenant_id, task_id, actor_user_id, actor_contact_id, action, changes)
    select
        n.tenant_id, n.task_id, n.author_user_id, n.author_contact_id, 'comment',
        jsonb_build_object('comment_id', n.id, 'client_visible', n.client_visible)
    from new_rows as n;
    return null;
end;
$$;

drop trigger if exists trg_comments_800_activity on app.comments;
create trigger trg_comments_800_activity after insert on app.comments referencing new table as new_rows
for each statement execute function internal.tg_comments__activity();

grant execute on function internal.visible_task(uuid), internal.visible_time_entry(uuid) to pgpsa_door_api;
