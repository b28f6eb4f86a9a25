-- Invoices: drafts are edited freely; posting guards keep sent, partial and paid invoices and their lines as they
-- were sent, whoever writes (the owner too); numbers are given on sending; voiding is explicit.

-- Settlement status from the lines and applications: what sent/partial/paid must say. These helpers are plpgsql,
-- not SQL, because they pin their search_path: a SQL function with a SET clause is planned again at every call
-- (about 0.6 ms), plpgsql keeps its plans for the session.
create or replace function internal.invoice_amounts(p_tenant_id uuid, p_invoice_id uuid)
returns table (total numeric, paid numeric)
language plpgsql stable security definer set search_path = ''
as $$
begin
    return query
        select
            coalesce((
                select sum(l.line_total + l.tax_amount) from app.invoice_lines as l
                where l.tenant_id = p_tenant_id and l.invoice_id = p_invoice_id
            ), 0) as total,
            coalesce((
                select sum(a.amount) from app.payment_applications as a
                where a.tenant_id = p_tenant_id and a.invoice_id = p_invoice_id
            ), 0) as paid;
end;
$$;

create or replace function internal.settlement_status(p_tenant_id uuid, p_invoice_id uuid) returns text
language plpgsql stable set search_path = ''
as $$
begin
    return (
        select case when m.paid = 0 then 'sent' when m.paid < m.total then 'partial' else 'paid' end
        from internal.invoice_amounts(p_tenant_id, p_invoice_id) as m
    );
end;
$$;

create or replace function internal.tg_invoices__guard() returns trigger
language plpgsql set search_path = ''
as $$
declare
    -- What may change on a posted invoice: its status (by payments or voiding) and the void stamp.
    moving constant text[] := array['status', 'voided_at', 'void_reason', 'updated_at'];
begin
    if tg_op = 'DELETE' then
        if old.status <> 'draft' then
            raise exception using
                errcode = 'PT409',
                message = format('Invoice %s is %s; only drafts can be deleted.', old.invoice_number, old.status),
                hint = 'Void it instead, or issue a credit note.';
        end if;
        return old;
    end if;
    if tg_op = 'INSERT' then
        if new.status <> 'draft' then
            raise exception using errcode = 'PT422', message = 'An invoice starts as a draft; send it to post it.';
        end if;
        return new;
    end if;
    if old.status in ('void') and new is distinct from old then
        raise exception using errcode = 'PT409', message = format('Invoice %s is void.', old.invoice_number);
    end if;
    if old.status in ('sent', 'partial', 'paid') then
        if (to_jsonb(new) - moving) is distinct from (to_jsonb(old) - moving) then
            raise exception using
                errcode = 'PT409',
                message = format('Invoice %s is %s; it can no longer be changed.', old.invoice_number, old.status),
                hint = 'Void it (when nothing is paid) or issue a credit note.';
        end if;
        if new.status = 'void' then
            if internal.settlement_status(new.tenant_id, new.id) <> 'sent' then
                raise exception using
                    errcode = 'PT409',
                    message = format('Invoice %s has payments applied; it cannot be voided.', old.invoice_number),
                    hint = 'Unapply the payments first.';
            end if;
        elsif new.status <> old.status and new.status <> internal.settlement_status(new.tenant_id, new.id) then
            raise exception using
                errcode = 'PT409',
                message = format('Invoice %s is %s by its payments, not %s.', old.invoice_number,
                    internal.settlement_status(new.tenant_id, new.id), new.status);
        end if;
    elsif old.status = 'draft' and new.status not in ('draft', 'sent') then
        raise exception using errcode = 'PT409', message = 'A draft is sent first (or deleted).';
    end if;
    return new;
end;
$$;

drop trigger if exists trg_invoices_100_guard on app.invoices;
create trigger trg_invoices_100_guard before insert or update or delete on app.invoices
for each row execute function internal.tg_invoices__guard();

-- Lines change only while their invoice is a draft; a line billed from a task keeps the task's amount.
-- Statement-level over the transition tables: a generated draft's 2,000 lines are checked in one query.
-- The invoices are locked FOR SHARE first, so the check reads their latest status: sending (FOR UPDATE) waits for
-- an uncommitted change to the lines, and a change made while the invoice is being sent waits, then sees it sent.
-- Without the lock a line deleted while its invoice was sent left a sent invoice without that line (or any).
-- As the owner: locking needs UPDATE rights and policies on invoices that a line's writer need not have.
create or replace function internal.tg_invoice_lines__guard() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    posted record;
begin
    -- The invoices the lines were on and are on: an update may move a line (a sent invoice must not lose it).
    for posted in execute format($sql$
        select i.invoice_number, i.status from app.invoices as i
        where (i.tenant_id, i.id) in (%s)
        order by i.tenant_id, i.id
        for share
    $sql$, case tg_op
        when 'INSERT' then 'select l.tenant_id, l.invoice_id from new_rows as l'
        when 'DELETE' then 'select l.tenant_id, l.invoice_id from old_rows as l'
        else 'select l.tenant_id, l.invoice_id from old_rows as l '
            || 'union select n.tenant_id, n.invoice_id from new_rows as n'
    end) loop
        if posted.status <> 'draft' then
            raise exception using
                errcode = 'PT409',
                message = format('Invoice %s is %s; its lines can no longer change.', posted.invoice_number,
                    posted.status);
        end if;
    end loop;
    -- Nested, so old_rows is planned only for updates (inserts have no old table).
    if tg_op = 'UPDATE' then
        if exists (
            select from old_rows as o join new_rows as n on o.tenant_id = n.tenant_id and o.id = n.id
            where o.source_type = 'task'
              and (n.quantity, n.unit_price, n.task_id) is distinct from (o.quantity, o.unit_price, o.task_id)
        ) then
            raise exception using
                errcode = 'PT409',
                message = 'A line billed from a task keeps the task''s amount; only its description can change.',
                hint = 'Change the task (or its time) and generate the draft again.';
        end if;
    end if;
    return null;
end;
$$;

drop trigger if exists trg_invoice_lines_100_guard on app.invoice_lines;
drop trigger if exists trg_invoice_lines_100_guard_insert on app.invoice_lines;
create trigger trg_invoice_lines_100_guard_insert after insert on app.invoice_lines referencing new table as new_rows
for each statement execute function internal.tg_invoice_lines__guard();
drop trigger if exists trg_invoice_lines_100_guard_update on app.invoice_lines;
create trigger trg_invoice_lines_100_guard_update after update on app.invoice_lines
referencing old table as old_rows new table as new_rows
for each statement execute function internal.tg_invoice_lines__guard();
drop trigger if exists trg_invoice_lines_100_guard_delete on app.invoice_lines;
create trigger trg_invoice_lines_100_guard_delete after delete on app.invoice_lines referencing old table as old_rows
for each statement execute function internal.tg_invoice_lines__guard();

-- A billed task keeps its billing fields: the invoice says what they were.
create or replace function internal.tg_tasks__billed() returns trigger
language plpgsql set search_path = ''
as $$
begin
    if old.invoice_id is not null and new.invoice_id is not distinct from old.invoice_id
        and (new.billing_type, new.fixed_amount, new.hourly_rate)
        is distinct from (old.billing_type, old.fixed_amount, old.hourly_rate) then
        raise exception using
            errcode = 'PT409',
            message = format('Task "%s" is on an invoice; its billing can no longer change.', old.title);
    end if;
    return new;
end;
$$;

drop trigger if exists trg_tasks_110_billed on app.tasks;
create trigger trg_tasks_110_billed before update on app.tasks
for each row execute function internal.tg_tasks__billed();

create or replace function internal.find_invoice(p_id uuid) returns uuid
language plpgsql stable set search_path = ''
as $$
begin
    if not exists (select from app.invoices as i where i.tenant_id = internal.current_tenant_id() and i.id = p_id) then
        perform internal.not_found('invoice', p_id);
    end if;
    return p_id;
end;
$$;

create or replace function internal.add_invoice_line(p_invoice_id uuid, p jsonb) returns uuid
language sql volatile set search_path = ''
begin atomic
    select internal.find_invoice(p_invoice_id);
    insert into app.invoice_lines (
        tenant_id, invoice_id, sequence, description, quantity, unit_price, tax_rate, source_type, order_item_id
    )
    select
        internal.current_tenant_id() as tenant_id,
        p_invoice_id as invoice_id,
        coalesce((p ->> 'sequence')::integer, (
            select coalesce(max(l.sequence), 0) + 1 from app.invoice_lines as l
            where l.tenant_id = internal.current_tenant_id() and l.invoice_id = p_invoice_id
        )) as sequence,
        p ->> 'description' as description,
        coalesce((p ->> 'quantity')::numeric, 1) as quantity,
        (p ->> 'unit_price')::numeric as unit_price,
        coalesce((p ->> 'tax_rate')::numeric, 0) as tax_rate,
        case when p ->> 'order_item_id' is null then 'manual' else 'order_item' end as source_type,
        (p ->> 'order_item_id')::uuid as order_item_id
    returning id;
end;

-- The door: checks invoices:write, then calls internal.add_invoice_line (which rules call directly). Bodies are
-- typed by their shapes (db/migrations/0017_shapes_sales.sql).
drop function if exists api.add_invoice_line(uuid, jsonb);
create or replace function api.add_invoice_line(p_invoice_id uuid, p api.invoice_item_create) returns uuid
language sql volatile set search_path = ''
begin atomic
    select internal.require_access('invoice_lines', 'insert');
    select internal.add_invoice_line(p_invoice_id, p);
end;

create or replace function internal.create_invoice(p jsonb) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
    invoice uuid;
    item jsonb;
begin
    insert into app.invoices (
        tenant_id, client_id, order_id, project_id, kind, issue_date, due_date, currency, notes, created_by
    ) values (
        internal.current_tenant_id(), (p ->> 'client_id')::uuid, (p ->> 'order_id')::uuid, (p ->> 'project_id')::uuid,
        coalesce(p ->> 'kind', 'manual'), (p ->> 'issue_date')::date, (p ->> 'due_date')::date,
        coalesce(p ->> 'currency', 'USD'), p ->> 'notes', internal.current_user_id()
    ) returning id into invoice;
    for item in select x.value from jsonb_array_elements(coalesce(p -> 'items', '[]')) as x loop
        perform internal.add_invoice_line(invoice, item);
    end loop;
    return invoice;
end;
$$;

-- The door: checks invoices:write, then calls internal.create_invoice (which rules call directly).
drop function if exists api.create_invoice(jsonb);
create or replace function api.create_invoice(p api.invoice_create) returns uuid
language sql volatile set search_path = ''
begin atomic
    select internal.require_access('invoices', 'insert');
    select internal.create_invoice(p);
end;

-- A draft's dates, notes and line descriptions; or {status: void, void_reason}, on their own, voids a sent invoice
-- (api.void_invoice), so PATCH /invoices/{id} is this one call.
drop function if exists api.update_invoice(uuid, jsonb);
create or replace function api.update_invoice(p_id uuid, p api.invoice_patch) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
    changed integer;
    others jsonb := p - 'status' - 'void_reason';
begin
    perform internal.require_access('invoices', 'update');
    if p ? 'status' then  -- the shape allows only void
        if others <> '{}' then
            raise exception using
                errcode = '22023', message = 'Void an invoice on its own: send only status and voidReason.',
                column = (select k.key from jsonb_object_keys(others) as k (key) order by k.key limit 1);
        end if;
        return api.void_invoice(p_id, p ->> 'void_reason');
    end if;
    if p ->> 'void_reason' is not null then
        raise exception using
            errcode = '22023', message = 'voidReason goes with status void.', column = 'void_reason';
    end if;
    perform internal.find_invoice(p_id);
    if p ?| array['due_date', 'issue_date', 'notes'] then
        update app.invoices as i set
            due_date = case when p ? 'due_date' then (p ->> 'due_date')::date else i.due_date end,
            issue_date = case when p ? 'issue_date' then (p ->> 'issue_date')::date else i.issue_date end,
            notes = case when p ? 'notes' then p ->> 'notes' else i.notes end
        where i.tenant_id = internal.current_tenant_id() and i.id = p_id;
    end if;
    update app.invoice_lines as l set description = x.value ->> 'description'
    from jsonb_array_elements(coalesce(p -> 'lines', '[]')) as x
    where l.tenant_id = internal.current_tenant_id() and l.invoice_id = p_id and l.id = (x.value ->> 'id')::uuid;
    get diagnostics changed = row_count;
    if changed < jsonb_array_length(coalesce(p -> 'lines', '[]')) then
        raise exception using
            errcode = 'PT404', message = 'A line given is not a line of this invoice.',
            hint = 'Use the line ids from GET /api/v1/invoices/{id}.';
    end if;
    return p_id;
end;
$$;

create or replace function api.delete_invoice_line(p_line_id uuid) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('invoice_lines', 'delete');
    delete from app.invoice_lines as l where l.tenant_id = internal.current_tenant_id() and l.id = p_line_id;
    if not found then
        perform internal.not_found('invoice line', p_line_id);
    end if;
    return p_line_id;
end;
$$;

-- Deleting a draft releases its tasks (the foreign key sets their invoice_id to NULL).
create or replace function api.delete_invoice(p_id uuid) returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
begin
    perform internal.require_access('invoices', 'delete');
    delete from app.invoices as i where i.tenant_id = internal.current_tenant_id() and i.id = p_id;
    if not found then
        perform internal.not_found('invoice', p_id);
    end if;
    return p_id;
end;
$$;

-- As the owner: the status, number and dates it sets are not columns a person writes.
create or replace function internal.send_invoice(p_id uuid) returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
    current_status text;
    owed record;
begin
    select i.status into current_status from app.invoices as i
    where i.tenant_id = internal.current_tenant_id() and i.id = p_id for update;
    if current_status is null then
        perform internal.not_found('invoice', p_id);
    elsif current_status <> 'draft' then
        raise exception using errcode = 'PT409', message = format('This invoice is %s; only a draft is sent.', current_status);
    end if;
    if not exists (
        select from app.invoice_lines as l where l.tenant_id = internal.current_tenant_id() and l.invoice_id = p_id
    ) then
        raise exception using errcode = 'PT422', message = 'An invoice needs at least one line to be sent.';
    end if;
    -- What is owed must be payable in the currency's own units (JPY has none below the yen, KWD three).
    select i.currency, c.minor_units, m.total into owed
    from app.invoices as i
    join app.currencies as c on c.code = i.currency
    cross join lateral internal.invoice_amounts(i.tenant_id, i.id) as m
    where i.tenant_id = internal.current_tenant_id() and i.id = p_id;
    if round(owed.total, owed.minor_units) <> owed.total then
        raise exception using
            errcode = 'PT422',
            message = format('This invoice comes to %s %s, which is not payable in %s (%s decimal places).',
                owed.total, owed.currency, owed.currency, owed.minor_units),
            hint = 'Make each line''s amount and tax come to whole units of the currency.';
    end if;
    update app.invoices as i set
        status = 'sent',
        invoice_number = internal.next_document_number('invoice'),
        sent_at = now(),
        issue_date = coalesce(i.issue_date, current_date),
        due_date = coalesce(i.due_date, coalesce(i.issue_date, current_date) + 30)
    where i.tenant_id = internal.current_tenant_id() and i.id = p_id;
    perform internal.record_event('invoice.sent', 'invoice', p_id, '{}');
    return p_id;
end;
$$;

-- The door: checks invoices:write, then calls internal.send_invoice (which rules call directly).
create or replace function api.send_invoice(p_id uuid) returns uuid
language sql volatile security definer set search_path = ''
begin atomic
    select internal.require_access('invoices', 'update');
    select internal.send_invoice(p_id);
end;

-- Voiding releases the invoice's tasks, so the work can be billed again. p_reason: why (a note).
drop function if exists api.void_invoice(uuid, text);
create or replace function api.void_invoice(p_id uuid, p_reason app.note) returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
    current_status text;
begin
    perform internal.require_access('invoices', 'update');
    select i.status into current_status from app.invoices as i
    where i.tenant_id = internal.current_tenant_id() and i.id = p_id for update;
    if current_status is null then
        perform internal.not_found('invoice', p_id);
    elsif current_status = 'draft' then
        raise exception using errcode = 'PT409', message = 'A draft is deleted, not voided.';
    end if;
    update app.invoices as i set status = 'void', voided_at = now(), void_reason = p_reason
    where i.tenant_id = internal.current_tenant_id() and i.id = p_id;
    update app.tasks as t set invoice_id = null where t.tenant_id = internal.current_tenant_id() and t.invoice_id = p_id;
    delete from app.contract_billings as b where b.tenant_id = internal.current_tenant_id() and b.invoice_id = p_id;
    perform internal.record_event('invoice.voided', 'invoice', p_id, jsonb_build_object('reason', p_reason));
    return p_id;
end;
$$;

-- Invoker cores stay behind the RLS write policies; internal.send_invoice runs as the owner, so only its door
-- (api.send_invoice, which checks invoices:write) may call it.
grant execute on function internal.add_invoice_line(uuid, jsonb), internal.create_invoice(jsonb) to pgpsa_door_api;
grant execute on function internal.invoice_amounts(uuid, uuid), internal.settlement_status(uuid, uuid),
internal.find_invoice(uuid) to pgpsa_door_api;
