-- Orders (seed 003 §2.2, §3.1): quote acceptance in one transaction, manual orders, status transitions, the
-- deposit (required from the tenant's rule when confirmed; received derived from payments), and recording it.
-- Bodies are typed by their shapes (db/migrations/0017_shapes_sales.sql).

-- One priority vocabulary (app.priority, as tasks have it): an order's "rush", as seed 003 spelled it, is "urgent".
create or replace function internal.priority(p_priority text) returns text
language sql immutable parallel safe
begin atomic
    select case when p_priority = 'rush' then 'urgent' else p_priority end;
end;

create or replace function internal.tg_orders__transition() returns trigger
language plpgsql set search_path = ''
as $$
declare
    refusal text;
begin
    if new.status is not distinct from old.status then
        return new;
    end if;
    refusal := internal.transition_refusal('app.order_status_transitions', old.status, new.status);
    if refusal is not null then
        raise exception using
            errcode = 'PT409',
            message = format('Order %s cannot go from %s to %s.', old.order_number, old.status, new.status),
            hint = refusal;
    end if;
    new.completed_at := case when new.status = 'completed' then now() end;
    new.cancelled_at := case when new.status = 'cancelled' then now() end;
    perform internal.record_event('order.' || new.status, 'order', new.id,
        jsonb_build_object('order_number', new.order_number, 'from', old.status, 'to', new.status));
    return new;
end;
$$;

drop trigger if exists trg_orders_100_transition on app.orders;
create trigger trg_orders_100_transition before update of status on app.orders
for each row execute function internal.tg_orders__transition();

-- The order's open deposit invoice, as the owner (a part of the order's own record).
create or replace function internal.order_deposit_invoice(p_tenant_id uuid, p_order_id uuid) returns uuid
language sql stable security definer set search_path = ''
begin atomic
    select i.id from app.invoices as i
    where
        i.tenant_id = p_tenant_id and i.order_id = p_order_id and i.kind = 'deposit'
        and i.status in ('sent', 'partial')
    order by i.created_at, i.id
    limit 1;
end;

-- Earlier versions widened the request's permission cache here; the order's consequences now call the internal
-- cores (the work without the permission door) from this security definer rule instead.
drop function if exists internal.elevate_permissions(text[]);
drop function if exists internal.restore_permissions(text);

-- A printable ticket for a project: JOB- number, QR payload PRJ:<project_code>, what the shop floor needs on it.
create or replace function internal.generate_job_ticket(p_project_id uuid) returns uuid
language sql volatile security definer set search_path = ''
begin atomic
    insert into app.job_tickets (tenant_id, ticket_code, project_id, order_id, stage_id, qr_payload, metadata)
    select
        p.tenant_id,
        internal.next_document_number('job') as ticket_code,
        p.id as project_id,
        p.order_id,
        (
            select s.id from app.stages as s where s.tenant_id = p.tenant_id and s.project_id = p.id
            order by s.sequence limit 1
        ) as stage_id,
        'PRJ:' || p.project_code as qr_payload,
        jsonb_strip_nulls(jsonb_build_object(
            'project_code', p.project_code, 'project_name', p.name, 'order_number', o.order_number,
            'customer', c.name, 'po_number', o.po_number, 'priority', o.priority, 'promised_date', o.promised_date
        )) as metadata
    from app.projects as p
    left join app.orders as o on p.tenant_id = o.tenant_id and p.order_id = o.id
    left join app.clients as c on p.tenant_id = c.tenant_id and p.client_id = c.id
    where p.tenant_id = internal.current_tenant_id() and p.id = p_project_id
    returning id;
end;

-- After an order's items exist: its project (from the template of its type, stage 1 started), its deposit
-- (required from the tenant's rule; a sent deposit invoice), its job ticket and the order.confirmed event.
create or replace function internal.confirm_order(p_order_id uuid) returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
    o record;
    template uuid;
    project uuid;
    first_stage record;
    total numeric;
    deposit numeric;
    invoice uuid;
    ticket uuid;
begin
    select x.*, c.name as client_name into o from app.orders as x
    inner join app.clients as c on x.tenant_id = c.tenant_id and x.client_id = c.id
    where x.tenant_id = internal.current_tenant_id() and x.id = p_order_id;
    template := internal.template_for_type(o.project_type);
    if template is null then
        raise exception using
            errcode = 'PT422',
            message = format('There is no active template for project type %s.', o.project_type),
            hint = 'Create a template for that type (POST /api/v1/templates), then try again.';
    end if;
    select coalesce(sum(i.line_total + i.tax_amount), 0) into total from app.order_items as i
    where i.tenant_id = o.tenant_id and i.order_id = o.id;
    deposit := round(total * internal.deposit_percent(o.tenant_id) / 100, 2);
    update app.orders as x set deposit_required = deposit where x.tenant_id = o.tenant_id and x.id = o.id;

    -- The rule's consequences, under its authority: whoever may confirm an order sets off the project, the deposit
    -- invoice and the ticket, whether or not they may create those by hand.
    project := internal.create_project(jsonb_build_object(
        'name', o.order_number || ' ' || o.client_name, 'project_type', o.project_type, 'client_id', o.client_id,
        'order_id', o.id, 'template_id', template,
        'due_date', case when o.promised_date >= current_date then o.promised_date end
    ));
    if deposit > 0 then
        invoice := internal.create_invoice(jsonb_build_object(
            'client_id', o.client_id, 'order_id', o.id, 'project_id', project, 'kind', 'deposit',
            'currency', o.currency, 'issue_date', current_date, 'due_date', current_date + 7,
            'notes', format('Deposit for order %s', o.order_number),
            'items', jsonb_build_array(jsonb_build_object(
                'description', format('Deposit (%s%% of %s) for order %s',
                    internal.deposit_percent(o.tenant_id)::float8, total, o.order_number),
                'quantity', 1, 'unit_price', deposit
            ))
        ));
        perform internal.send_invoice(invoice);
    end if;
    -- Stage 1 starts now unless it waits for the deposit (the payment releases it: internal.release_deposit_stage).
    select s.id, s.requires_deposit into first_stage from app.stages as s
    where s.tenant_id = o.tenant_id and s.project_id = project order by s.sequence limit 1;
    if first_stage.id is not null
        and not (first_stage.requires_deposit and internal.deposit_outstanding(o.tenant_id, project)) then
        perform internal.start_stage(project, first_stage.id);
    end if;
    ticket := internal.generate_job_ticket(project);
    perform internal.record_event('order.confirmed', 'order', o.id, jsonb_build_object(
        'order_number', o.order_number, 'quote_id', o.quote_id, 'project_id', project, 'deposit_invoice_id', invoice,
        'deposit_required', deposit, 'job_ticket_id', ticket
    ));
    return project;
end;
$$;

-- What an accepted quote or a new order answers with.
drop function if exists internal.order_summary(uuid);
create or replace function internal.order_summary(p_order_id uuid)
returns table (
    order_id uuid, order_number text, quote_id uuid, project_id uuid, project_code text, deposit_required app.money,
    deposit_invoice_id uuid, job_ticket_id uuid, job_ticket_code text
)
language sql stable security definer set search_path = ''
begin atomic
    select
        o.id as order_id,
        o.order_number,
        o.quote_id,
        p.id as project_id,
        p.project_code,
        o.deposit_required,
        internal.order_deposit_invoice(o.tenant_id, o.id) as deposit_invoice_id,
        t.id as job_ticket_id,
        t.ticket_code as job_ticket_code
    from app.orders as o
    left join app.projects as p on o.tenant_id = p.tenant_id and o.id = p.order_id
    left join app.job_tickets as t on p.tenant_id = t.tenant_id and p.id = t.project_id
    where o.tenant_id = internal.current_tenant_id() and o.id = p_order_id
    order by t.generated_at
    limit 1;
end;

-- Seed 003 §3.1 in one transaction. The quote row is locked first, so of two acceptances the second waits, then
-- finds the quote accepted and is refused with nothing written. p: order fields {po_number, priority,
-- promised_date, notes}.
create or replace function internal.accept_quote(p_quote_id uuid, p jsonb) returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
    q record;
    new_order uuid;
begin
    select * into q from app.quotes as x
    where x.tenant_id = internal.current_tenant_id() and x.id = p_quote_id for update;
    if not found then
        perform internal.not_found('quote', p_quote_id);
    end if;
    if q.status <> 'sent' then
        raise exception using
            errcode = 'PT409',
            message = format('Quote %s is %s; only a sent quote can be accepted.', q.quote_number, q.status),
            hint = case q.status when 'draft' then 'Send it first.' when 'accepted' then 'Its order already exists.'
                else 'Make a new quote.' end;
    end if;
    update app.quotes as x set status = 'accepted' where x.tenant_id = q.tenant_id and x.id = q.id;
    insert into app.orders (
        tenant_id, order_number, quote_id, client_id, project_type, po_number, priority, promised_date, currency,
        notes, created_by
    ) values (
        q.tenant_id, internal.next_document_number('order'), q.id, q.client_id, q.project_type, p ->> 'po_number',
        internal.priority(coalesce(p ->> 'priority', 'normal')), (p ->> 'promised_date')::date, q.currency,
        coalesce(p ->> 'notes', q.notes), internal.current_user_id()
    ) returning id into new_order;
    insert into app.order_items (
        tenant_id, order_id, sequence, quote_item_id, product_id, description, quantity, unit_price, discount_pct,
        tax_rate, fulfillment_type, required_date
    )
    select
        i.tenant_id, new_order, i.sequence, i.id, i.product_id, i.description, i.quantity, i.unit_price,
        i.discount_pct, i.tax_rate, i.fulfillment_type, i.required_date
    from app.quote_items as i
    where i.tenant_id = q.tenant_id and i.quote_id = q.id;
    perform internal.confirm_order(new_order);
    return new_order;
end;
$$;

-- Recording the customer's acceptance is sales work (quotes:write); what follows is the rule's.
drop function if exists api.accept_quote(uuid);
create or replace function api.accept_quote(p_quote_id uuid)
returns table (
    order_id uuid, order_number text, quote_id uuid, project_id uuid, project_code text, deposit_required app.money,
    deposit_invoice_id uuid, job_ticket_id uuid, job_ticket_code text
)
language plpgsql volatile security definer set search_path = ''
as $$
declare
    new_order uuid;
begin
    perform internal.require_access('quotes', 'update');
    -- Its own statement: the summary's snapshot must see what acceptance wrote.
    new_order := internal.accept_quote(p_quote_id, '{}');
    return query select * from internal.order_summary(new_order);
end;
$$;

-- p: {quote_id, po_number, priority, promised_date, notes} accepts the quote (seed 003 §2.2); without quote_id a
-- manual order: {client_id, project_type, po_number, priority, promised_date, currency, notes, items: [...]}.
drop function if exists api.create_order(jsonb);
create or replace function api.create_order(p api.order_create)
returns table (
    order_id uuid, order_number text, quote_id uuid, project_id uuid, project_code text, deposit_required app.money,
    deposit_invoice_id uuid, job_ticket_id uuid, job_ticket_code text
)
language plpgsql volatile security definer set search_path = ''
as $$
declare
    new_order uuid;
    from_quote constant text[] := array['client_id', 'project_type', 'currency', 'items'];
begin
    perform internal.require_access('orders', 'insert');
    if p ->> 'quote_id' is not null and p ?| from_quote then
        raise exception using
            errcode = '22023',
            message = 'An order from a quote takes its client, type, currency and items from the quote.',
            column = (select f.name from unnest(from_quote) as f (name) where p ? f.name limit 1),
            hint = 'Leave them out, or make the order by hand, without the quote.';
    end if;
    if p ->> 'quote_id' is not null then
        new_order := internal.accept_quote((p ->> 'quote_id')::uuid, p);
    else
        if jsonb_typeof(p -> 'items') is distinct from 'array' or jsonb_array_length(p -> 'items') = 0 then
            raise exception using errcode = 'PT422', message = 'An order needs at least one item.';
        end if;
        insert into app.orders (
            tenant_id, order_number, client_id, project_type, po_number, priority, promised_date, currency, notes,
            created_by
        ) values (
            internal.current_tenant_id(), internal.next_document_number('order'), (p ->> 'client_id')::uuid,
            p ->> 'project_type', p ->> 'po_number', internal.priority(coalesce(p ->> 'priority', 'normal')),
            (p ->> 'promised_date')::date, coalesce(p ->> 'currency', 'USD'), p ->> 'notes', internal.current_user_id()
        ) returning id into new_order;
        insert into app.order_items (
            tenant_id, order_id, sequence, product_id, description, quantity, unit_price, discount_pct, tax_rate,
            fulfillment_type, required_date
        )
        select
            internal.current_tenant_id(), new_order, x.ordinality, (l.p ->> 'product_id')::uuid, l.p ->> 'description',
            coalesce((l.p ->> 'quantity')::numeric, 1), (l.p ->> 'unit_price')::numeric,
            coalesce((l.p ->> 'discount_pct')::numeric, 0), coalesce((l.p ->> 'tax_rate')::numeric, 0),
            coalesce(l.p ->> 'fulfillment_type', 'production'), (l.p ->> 'required_date')::date
        from jsonb_array_elements(p -> 'items') with ordinality as x
        cross join lateral (select internal.line_from_product(x.value) as p) as l;
        perform internal.confirm_order(new_order);
    end if;
    return query select * from internal.order_summary(new_order);
end;
$$;

-- Only the keys present change: po_number, priority, promised_date, notes, status (moves by the transition table).
drop function if exists api.update_order(uuid, jsonb);
create or replace function api.update_order(p_id uuid, p api.order_patch) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('orders', 'update');
    update app.orders as o set
        po_number = case when p ? 'po_number' then p ->> 'po_number' else o.po_number end,
        priority = case when p ? 'priority' then internal.priority(p ->> 'priority') else o.priority end,
        promised_date = case when p ? 'promised_date' then (p ->> 'promised_date')::date else o.promised_date end,
        notes = case when p ? 'notes' then p ->> 'notes' else o.notes end,
        status = case when p ? 'status' then p ->> 'status' else o.status end
    where o.tenant_id = internal.current_tenant_id() and o.id = p_id;
    if not found then
        perform internal.not_found('order', p_id);
    end if;
    return p_id;
end;
$$;

create or replace function internal.order_brief(p_order_id uuid)
returns table (tenant_id uuid, client_id uuid, currency text, order_number text)
language sql stable security definer set search_path = ''
begin atomic
    select
        o.tenant_id,
        o.client_id,
        o.currency,
        o.order_number
    from app.orders as o
    where o.tenant_id = internal.current_tenant_id() and o.id = p_order_id;
end;

-- Seed 003 §2.2 POST /orders/{id}/deposit: a payment from the order's client, applied to its open deposit invoice
-- up to that invoice's balance (anything more stays on the payment, unapplied, for the next invoice).
-- p: {amount, method, reference, received_at}.
drop function if exists api.record_order_deposit(uuid, jsonb);
create or replace function api.record_order_deposit(p_order_id uuid, p api.deposit_create)
returns table (payment_id uuid, invoice_id uuid, applied app.money)
language plpgsql volatile set search_path = ''
as $$
declare
    o record;
    invoice uuid;
    balance numeric;
begin
    perform internal.require_access('payments', 'insert');
    -- As the owner: finance records deposits without the right to browse orders.
    select * into o from internal.order_brief(p_order_id);
    if o.order_number is null then
        perform internal.not_found('order', p_order_id);
    end if;
    invoice := internal.order_deposit_invoice(o.tenant_id, p_order_id);
    if invoice is null then
        raise exception using
            errcode = 'PT409',
            message = format('Order %s has no deposit invoice waiting for payment.', o.order_number),
            hint = 'Record the payment with POST /api/v1/payments instead.';
    end if;
    select m.total - m.paid into balance from internal.invoice_amounts(o.tenant_id, invoice) as m;
    payment_id := api.record_payment(jsonb_build_object(
        'client_id', o.client_id, 'method', p ->> 'method', 'reference', p ->> 'reference', 'amount', p -> 'amount',
        'currency', o.currency, 'received_at', p -> 'received_at'
    ));
    applied := least((p ->> 'amount')::numeric, balance);
    perform api.apply_payment(payment_id, jsonb_build_array(jsonb_build_object('invoice_id', invoice, 'amount', applied)));
    invoice_id := invoice;
    return next;
end;
$$;

grant execute on function internal.order_deposit_invoice(uuid, uuid), internal.order_brief(uuid),
internal.priority(text)
to pgpsa_door_api;
