-- Quotes (seed 003 §1.1, §3.1): draft -> sent -> accepted | rejected | expired (app.quote_status_transitions),
-- enforced by triggers for every writer; only drafts are edited (their items too); line money is computed by
-- generated columns. Bodies are typed by their shapes (db/migrations/0017_shapes_sales.sql).

-- What may change once a quote has left draft: its status and the stamps that go with it.
create or replace function internal.quote_stamp_columns() returns text[]
language sql immutable parallel safe
begin atomic
    select array[
        'status', 'sent_at', 'reminded_at', 'accepted_by', 'accepted_at', 'rejected_at', 'rejection_reason',
        'expired_at', 'updated_at'
    ];
end;

create or replace function internal.tg_quotes__lifecycle() returns trigger
language plpgsql set search_path = ''
as $$
declare
    refusal text;
begin
    if tg_op = 'DELETE' then
        if old.status <> 'draft' then
            raise exception using
                errcode = 'PT409',
                message = format('Quote %s is %s; only drafts can be deleted.', old.quote_number, old.status);
        end if;
        return old;
    end if;
    if tg_op = 'INSERT' then
        if new.status <> 'draft' then
            raise exception using errcode = 'PT422', message = 'A quote starts as a draft; send it when it is ready.';
        end if;
        return new;
    end if;
    if old.status <> 'draft'
        and (to_jsonb(new) - internal.quote_stamp_columns()) is distinct from (to_jsonb(old) - internal.quote_stamp_columns())
    then
        raise exception using
            errcode = 'PT409',
            message = format('Quote %s is %s; only drafts can be edited.', old.quote_number, old.status),
            hint = 'Make a new quote for the changed offer.';
    end if;
    if new.status is not distinct from old.status then
        return new;
    end if;
    refusal := internal.transition_refusal('app.quote_status_transitions', old.status, new.status);
    if refusal is not null then
        raise exception using
            errcode = 'PT409',
            message = format('Quote %s is %s; it cannot become %s.', old.quote_number, old.status, new.status),
            hint = refusal;
    end if;
    if new.status = 'sent' then
        if not exists (
            select from app.quote_items as i where i.tenant_id = new.tenant_id and i.quote_id = new.id
        ) then
            raise exception using errcode = 'PT422', message = 'A quote needs at least one item to be sent.';
        end if;
        if new.valid_until < current_date then
            raise exception using
                errcode = 'PT422',
                message = format('Quote %s was valid only until %s.', new.quote_number, new.valid_until),
                hint = 'Move valid_until to today or later, then send it.';
        end if;
        new.sent_at := now();
    elsif new.status = 'accepted' then
        if new.valid_until < current_date then
            raise exception using
                errcode = 'PT409',
                message = format('Quote %s expired on %s; it can no longer be accepted.', new.quote_number, new.valid_until),
                hint = 'Make a new quote.';
        end if;
        new.accepted_at := now();
        new.accepted_by := internal.current_user_id();
    elsif new.status = 'rejected' then
        new.rejected_at := now();
    elsif new.status = 'expired' then
        new.expired_at := now();
    end if;
    return new;
end;
$$;

drop trigger if exists trg_quotes_100_lifecycle on app.quotes;
create trigger trg_quotes_100_lifecycle before insert or update or delete on app.quotes
for each row execute function internal.tg_quotes__lifecycle();

create or replace function internal.tg_quotes__events() returns trigger
language plpgsql set search_path = ''
as $$
begin
    perform internal.record_event('quote.' || new.status, 'quote', new.id,
        jsonb_build_object('quote_number', new.quote_number, 'from', old.status, 'to', new.status));
    return null;
end;
$$;

drop trigger if exists trg_quotes_900_events on app.quotes;
create trigger trg_quotes_900_events after update of status on app.quotes
for each row when (old.status is distinct from new.status) execute function internal.tg_quotes__events();

-- Items change only while their quote is a draft: the quote they are on, and (an update may move an item) the
-- quote they were on. The quote rows are share-locked, so an item cannot slip in while the quote is being sent;
-- read as the owner, so the answer does not depend on what the writer sees.
create or replace function internal.tg_quote_items__draft_only() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    item record := case when tg_op = 'DELETE' then old else new end;
    quote record;
begin
    for quote in
        select q.status, q.quote_number from app.quotes as q
        where
            q.tenant_id = item.tenant_id
            and q.id in (item.quote_id, case when tg_op = 'UPDATE' then old.quote_id end)
        order by q.id
        for share
    loop
        if quote.status <> 'draft' then
            raise exception using
                errcode = 'PT409',
                message = format('Quote %s is %s; its items can no longer change.', quote.quote_number, quote.status),
                hint = 'Only a draft quote is edited.';
        end if;
    end loop;
    return item;
end;
$$;

drop trigger if exists trg_quote_items_100_draft_only on app.quote_items;
create trigger trg_quote_items_100_draft_only before insert or update or delete on app.quote_items
for each row execute function internal.tg_quote_items__draft_only();

-- Product defaults (description, price, tax) for a line that names a product and leaves them out.
create or replace function internal.line_from_product(p jsonb) returns jsonb
language sql stable set search_path = ''
begin atomic
    select
        coalesce((
            select jsonb_build_object('description', pr.name, 'unit_price', pr.default_price, 'tax_rate', pr.tax_rate)
            from app.products as pr
            where pr.tenant_id = internal.current_tenant_id() and pr.id = (p ->> 'product_id')::uuid
        ), '{}') || jsonb_strip_nulls(p);
end;

-- p: {product_id, description, quantity, unit_price, discount_pct, tax_rate, fulfillment_type, required_date}.
-- A total is not a field of the shape: the database computes it.
drop function if exists api.add_quote_item(uuid, jsonb);
create or replace function api.add_quote_item(p_quote_id uuid, p api.line_create) returns uuid
language sql volatile set search_path = ''
begin atomic
    select internal.require_access('quote_items', 'insert');
    insert into app.quote_items (
        tenant_id, quote_id, sequence, product_id, description, quantity, unit_price, discount_pct, tax_rate,
        fulfillment_type, required_date
    )
    with l as (select internal.line_from_product(p) as p)

    select
        internal.current_tenant_id() as tenant_id,
        q.id as quote_id,
        (
            select coalesce(max(i.sequence), 0) + 1 from app.quote_items as i
            where i.tenant_id = q.tenant_id and i.quote_id = q.id
        ) as sequence,
        (l.p ->> 'product_id')::uuid as product_id,
        l.p ->> 'description' as description,
        coalesce((l.p ->> 'quantity')::numeric, 1) as quantity,
        (l.p ->> 'unit_price')::numeric as unit_price,
        coalesce((l.p ->> 'discount_pct')::numeric, 0) as discount_pct,
        coalesce((l.p ->> 'tax_rate')::numeric, 0) as tax_rate,
        coalesce(l.p ->> 'fulfillment_type', 'production') as fulfillment_type,
        (l.p ->> 'required_date')::date as required_date
    from app.quotes as q
    cross join l
    where q.tenant_id = internal.current_tenant_id() and q.id = p_quote_id
    returning id;
end;

create or replace function internal.find_quote(p_id uuid) returns uuid
language plpgsql stable set search_path = ''
as $$
begin
    if not exists (select from app.quotes as q where q.tenant_id = internal.current_tenant_id() and q.id = p_id) then
        perform internal.not_found('quote', p_id);
    end if;
    return p_id;
end;
$$;

-- p: {client_id, lead_id, project_type, title, valid_from, valid_until, currency, notes, items: [...]}.
drop function if exists api.create_quote(jsonb);
create or replace function api.create_quote(p api.quote_create) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
    quote uuid;
    item jsonb;
begin
    perform internal.require_access('quotes', 'insert');
    insert into app.quotes (
        tenant_id, quote_number, lead_id, client_id, project_type, title, valid_from, valid_until, currency, notes,
        created_by
    ) values (
        internal.current_tenant_id(), internal.next_document_number('quote'), (p ->> 'lead_id')::uuid,
        (p ->> 'client_id')::uuid, p ->> 'project_type', p ->> 'title',
        coalesce((p ->> 'valid_from')::date, current_date),
        coalesce((p ->> 'valid_until')::date, coalesce((p ->> 'valid_from')::date, current_date) + 30),
        coalesce(p ->> 'currency', 'USD'), p ->> 'notes', internal.current_user_id()
    ) returning id into quote;
    for item in select x.value from jsonb_array_elements(coalesce(p -> 'items', '[]')) as x loop
        perform api.add_quote_item(quote, item);
    end loop;
    return quote;
end;
$$;

-- Only the keys present change; "items" replaces every item (a draft's lines are edited as a whole).
drop function if exists api.update_quote(uuid, jsonb);
create or replace function api.update_quote(p_id uuid, p api.quote_patch) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
    item jsonb;
begin
    perform internal.require_access('quotes', 'update');
    perform internal.find_quote(p_id);
    if p ?| array['lead_id', 'client_id', 'project_type', 'title', 'valid_from', 'valid_until', 'currency', 'notes'] then
        update app.quotes as q set
            lead_id = case when p ? 'lead_id' then (p ->> 'lead_id')::uuid else q.lead_id end,
            client_id = case when p ? 'client_id' then (p ->> 'client_id')::uuid else q.client_id end,
            project_type = case when p ? 'project_type' then p ->> 'project_type' else q.project_type end,
            title = case when p ? 'title' then p ->> 'title' else q.title end,
            valid_from = case when p ? 'valid_from' then (p ->> 'valid_from')::date else q.valid_from end,
            valid_until = case when p ? 'valid_until' then (p ->> 'valid_until')::date else q.valid_until end,
            currency = case when p ? 'currency' then p ->> 'currency' else q.currency end,
            notes = case when p ? 'notes' then p ->> 'notes' else q.notes end
        where q.tenant_id = internal.current_tenant_id() and q.id = p_id;
    end if;
    if p ? 'items' then
        delete from app.quote_items as i where i.tenant_id = internal.current_tenant_id() and i.quote_id = p_id;
        for item in select x.value from jsonb_array_elements(coalesce(p -> 'items', '[]')) as x loop
            perform api.add_quote_item(p_id, item);
        end loop;
    end if;
    return p_id;
end;
$$;

create or replace function api.delete_quote(p_id uuid) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('quotes', 'delete');
    delete from app.quotes as q where q.tenant_id = internal.current_tenant_id() and q.id = p_id;
    if not found then
        perform internal.not_found('quote', p_id);
    end if;
    return p_id;
end;
$$;

-- Status moves as the owner: staff may not write status or its stamps by hand, only through these.
create or replace function internal.move_quote(p_id uuid, p_status text, p_reason text default null) returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
    cur record;
begin
    perform internal.require_access('quotes', 'update');
    if p_status not in ('sent', 'rejected') then
        raise exception using errcode = 'PT422', message = 'A quote is accepted through accept_quote; it expires by date.';
    end if;
    -- Locked first: a concurrent move waits here, then sees the status the other one left.
    select q.status, q.quote_number into cur from app.quotes as q
    where q.tenant_id = internal.current_tenant_id() and q.id = p_id for update;
    if not found then
        perform internal.not_found('quote', p_id);
    end if;
    if cur.status <> (case p_status when 'sent' then 'draft' else 'sent' end) then
        raise exception using
            errcode = 'PT409',
            message = format('Quote %s is %s; it cannot become %s.', cur.quote_number, cur.status, p_status),
            hint = internal.transition_refusal('app.quote_status_transitions', cur.status, p_status);
    end if;
    update app.quotes as q set
        status = p_status,
        rejection_reason = case when p_status = 'rejected' then p_reason else q.rejection_reason end
    where q.tenant_id = internal.current_tenant_id() and q.id = p_id;
    return p_id;
end;
$$;

create or replace function api.send_quote(p_id uuid) returns uuid
language sql volatile set search_path = ''
begin atomic
    select internal.move_quote(p_id, 'sent');
end;

-- p_reason is the body's reason (a note).
drop function if exists api.reject_quote(uuid, text);
create or replace function api.reject_quote(p_id uuid, p_reason app.note default null) returns uuid
language sql volatile set search_path = ''
begin atomic
    select internal.move_quote(p_id, 'rejected', p_reason);
end;

grant execute on function internal.quote_stamp_columns(), internal.line_from_product(jsonb),
internal.find_quote(uuid), internal.move_quote(uuid, text, text) to pgpsa_door_api;
