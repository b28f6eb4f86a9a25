-- Who is told what (seed 003 §5.2 and §3): each event type's handler queues its mails, recipients read from the
-- database (roles, contacts, settings), never from code. Delivery runs as the worker role with the event's tenant
-- set; every function here is owner-run and stays in that tenant. A mail is queued once per event, handler and
-- recipient (its idempotency key), so a redelivered event queues nothing new.

-- One mail, once: the send job is queued with it, in the same transaction.
create or replace function internal.queue_mail(
    p_event_id uuid, p_handler text, p_to_email text, p_to_name text, p_template text, p_context jsonb
) returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
    mail_id uuid;
begin
    if p_to_email is null then
        return 0;
    end if;
    insert into app.outbound_mail as m (tenant_id, idempotency_key, event_id, template, to_email, to_name, context)
    values (
        internal.current_tenant_id(), concat_ws(':', coalesce(p_event_id::text, 'direct'), p_handler, lower(p_to_email)),
        p_event_id, p_template, p_to_email, p_to_name, coalesce(p_context, '{}')
    )
    on conflict (tenant_id, idempotency_key) do nothing
    returning m.id into mail_id;
    if mail_id is null then
        return 0;
    end if;
    perform internal.enqueue('send_mail', jsonb_build_object('tenant_id', internal.current_tenant_id(), 'mail_id', mail_id));
    return 1;
end;
$$;

-- How a mail writes amounts and times: in the currency's minor units, in the tenant's time zone.
create or replace function internal.mail_money(p_amount numeric, p_currency text) returns text
language sql stable security definer set search_path = ''
begin atomic
    select round(p_amount, coalesce(max(c.minor_units), 2))::text as amount
    from app.currencies as c
    where c.code = p_currency;
end;

create or replace function internal.mail_time(p_at timestamptz) returns text
language sql stable security definer set search_path = ''
begin atomic
    select to_char(p_at at time zone t.time_zone, 'YYYY-MM-DD HH24:MI') || ' ' || t.time_zone
    from app.tenants as t
    where t.id = internal.current_tenant_id();
end;

-- Recipients. A client's billing contact: its primary contact with an email, else the client's own address.
create or replace function internal.billing_contact(p_client_id uuid) returns table (email text, name text)
language sql stable security definer set search_path = ''
begin atomic
    select
        coalesce(ct.email, c.email)::text as email,
        coalesce(ct.name, c.name)::text as name
    from app.clients as c
    left join lateral (
        select
            x.email,
            x.name
        from app.contacts as x
        where x.tenant_id = c.tenant_id and x.client_id = c.id and x.archived_at is null and x.email is not null
        order by x.is_primary desc, x.created_at asc
        limit 1
    ) as ct on true
    where c.tenant_id = internal.current_tenant_id() and c.id = p_client_id and coalesce(ct.email, c.email) is not null;
end;

-- The people working a stage: every enabled user assigned to one of its tasks.
create or replace function internal.stage_assignees(p_stage_id uuid) returns table (email text, name text)
language sql stable security definer set search_path = ''
begin atomic
    select distinct
        u.email::text,
        u.full_name::text
    from app.tasks as t
    inner join app.task_assignees as a on t.tenant_id = a.tenant_id and t.id = a.task_id
    inner join app.users as u on a.tenant_id = u.tenant_id and a.user_id = u.id
    where t.tenant_id = internal.current_tenant_id() and t.stage_id = p_stage_id and u.disabled_at is null;
end;

-- The tenant's managers (and admins), enabled.
create or replace function internal.tenant_managers() returns table (email text, name text)
language sql stable security definer set search_path = ''
begin atomic
    select
        u.email::text,
        u.full_name::text
    from app.users as u
    where u.tenant_id = internal.current_tenant_id() and u.role in ('manager', 'admin') and u.disabled_at is null;
end;

-- Purchasing: the tenant's purchasing address, else its managers (somebody must hear that stock is low).
create or replace function internal.purchasing() returns table (email text, name text)
language sql stable security definer set search_path = ''
begin atomic
    select
        s.purchasing_email::text as email,
        'Purchasing' as name
    from app.sales_settings as s
    where s.tenant_id = internal.current_tenant_id() and s.purchasing_email is not null
    union all
    select
        m.email,
        m.name
    from internal.tenant_managers() as m
    where not exists (
        select from app.sales_settings as s
        where s.tenant_id = internal.current_tenant_id() and s.purchasing_email is not null
    );
end;

-- What an invoice is, for a mail: number, amounts in its currency (internal.invoice_amounts, the settlement rule's
-- own sums), due date, client. plpgsql because invoice_amounts is defined later (0800), and a SQL body is resolved
-- when it is made.
create or replace function internal.invoice_summary(p_invoice_id uuid) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
begin
    return (
        select
            jsonb_build_object(
                'invoice_id', i.id,
                'invoice_number', i.invoice_number,
                'kind', i.kind,
                'currency', i.currency,
                'due_date', i.due_date,
                'client_id', i.client_id,
                'order_id', i.order_id,
                'total', internal.mail_money(m.total, i.currency),
                'balance_due', internal.mail_money(m.total - m.paid, i.currency)
            )
        from app.invoices as i
        cross join internal.invoice_amounts(i.tenant_id, i.id) as m
        where i.tenant_id = internal.current_tenant_id() and i.id = p_invoice_id
    );
end;
$$;

-- A stage and its project, for a mail.
create or replace function internal.stage_summary(p_stage_id uuid) returns jsonb
language sql stable security definer set search_path = ''
begin atomic
    select
        jsonb_build_object(
            'stage_id', s.id,
            'stage_name', s.name,
            'stage_code', s.stage_code,
            'due_at', internal.mail_time(s.due_at),
            'overdue_since', internal.mail_time(s.escalated_at),
            'overdue_at', s.escalated_at,
            'project_id', p.id,
            'project_code', p.project_code,
            'project_name', p.name
        )
    from app.stages as s
    inner join app.projects as p on s.tenant_id = p.tenant_id and s.project_id = p.id
    where s.tenant_id = internal.current_tenant_id() and s.id = p_stage_id;
end;

-- Everyone a recipient function names gets the template, with the context.
create or replace function internal.mail_each(
    p_event_id uuid, p_handler text, p_recipients jsonb, p_template text, p_context jsonb
) returns integer
language sql volatile security definer set search_path = ''
begin atomic
    select
        coalesce(sum(internal.queue_mail(p_event_id, p_handler, r ->> 'email', r ->> 'name', p_template, p_context)), 0)
            as queued
    from jsonb_array_elements(coalesce(p_recipients, '[]')) as r;
end;

-- The recipients of one of the functions above, as a JSON list (so mail_each takes any of them).
create or replace function internal.recipients(p_kind text, p_id uuid default null) returns jsonb
language sql stable security definer set search_path = ''
begin atomic
    select coalesce(jsonb_agg(jsonb_build_object('email', r.email, 'name', r.name)), '[]')
    from (
        select
            b.email,
            b.name
        from internal.billing_contact(p_id) as b where p_kind = 'billing'
        union
        select
            s.email,
            s.name
        from internal.stage_assignees(p_id) as s where p_kind = 'assignees'
        union
        select
            m.email,
            m.name
        from internal.tenant_managers() as m where p_kind = 'managers'
        union
        select
            u.email,
            u.name
        from internal.purchasing() as u where p_kind = 'purchasing'
    ) as r;
end;

-- The approver of an approval still pending, with the approval in the context (its link is added at sending).
create or replace function internal.approval_mail(p_approval_id uuid) returns table (
    email text, name text, context jsonb
)
language sql stable security definer set search_path = ''
begin atomic
    select
        coalesce(a.approver_email, c.email)::text as email,
        coalesce(c.name::text, a.approver_email::text) as name,
        jsonb_build_object('approval_id', a.id, 'expires_at', internal.mail_time(a.expires_at))
        || internal.stage_summary(a.stage_id) as context
    from app.approvals as a
    left join app.contacts as c on a.tenant_id = c.tenant_id and a.approver_contact_id = c.id
    where a.tenant_id = internal.current_tenant_id() and a.id = p_approval_id;
end;

-- The handlers: each event type that tells somebody, what it queues. Returns how many mails.
create or replace function internal.handle_event(e app.domain_events) returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
    ctx jsonb;
    n integer := 0;
    approver record;
begin
    case e.event_type
    when 'order.confirmed' then  -- a quote accepted: the deposit invoice to the client's billing contact
        if e.payload ->> 'deposit_invoice_id' is not null then
            ctx := internal.invoice_summary((e.payload ->> 'deposit_invoice_id')::uuid)
                || jsonb_build_object('order_number', e.payload ->> 'order_number');
            n := internal.mail_each(e.id, 'deposit_invoice', internal.recipients('billing', (ctx ->> 'client_id')::uuid),
                'deposit_invoice', ctx);
        end if;
    when 'stage.activated' then
        n := internal.mail_each(e.id, 'stage_activated', internal.recipients('assignees', e.aggregate_id),
            'stage_activated', internal.stage_summary(e.aggregate_id));
    when 'stage.overdue' then  -- its people at once; the managers after 24 h if it is still overdue
        ctx := internal.stage_summary(e.aggregate_id);
        n := internal.mail_each(e.id, 'stage_overdue', internal.recipients('assignees', e.aggregate_id),
            'stage_overdue', ctx);
        perform internal.enqueue(
            'escalate_stage', jsonb_build_object('tenant_id', e.tenant_id, 'stage_id', e.aggregate_id),
            coalesce((ctx ->> 'overdue_at')::timestamptz, e.occurred_at) + interval '24 hours',
            'escalate_stage:' || e.aggregate_id
        );
    when 'stage.escalated' then
        n := internal.mail_each(e.id, 'stage_escalated', internal.recipients('managers'), 'stage_escalated',
            internal.stage_summary(e.aggregate_id));
    when 'approval.requested', 'approval.reminder_requested' then
        select * into approver from internal.approval_mail(e.aggregate_id);
        n := internal.queue_mail(e.id, 'approval_requested', approver.email, approver.name, 'approval_requested',
            approver.context || jsonb_build_object('reminder', e.event_type = 'approval.reminder_requested'));
    when 'approval.revision_requested' then  -- the designers (the stage's people) and the client, with the summary
        ctx := internal.stage_summary((e.payload ->> 'stage_id')::uuid) || jsonb_build_object(
            'revision_number', e.payload -> 'revision_number', 'comment', e.payload ->> 'comment'
        );
        n := internal.mail_each(e.id, 'revision_designers',
            internal.recipients('assignees', (e.payload ->> 'stage_id')::uuid), 'revision_requested', ctx);
        select * into approver from internal.approval_mail(e.aggregate_id);
        n := n + internal.queue_mail(e.id, 'revision_client', approver.email, approver.name, 'revision_received', ctx);
    when 'invoice.sent' then  -- an order's deposit invoice is the confirmation's mail (order.confirmed), not this one
        ctx := internal.invoice_summary(e.aggregate_id);
        if ctx ->> 'kind' <> 'deposit' or ctx ->> 'order_id' is null then
            n := internal.mail_each(e.id, 'invoice_sent', internal.recipients('billing', (ctx ->> 'client_id')::uuid),
                'invoice_sent', ctx);
        end if;
    when 'payment.posted' then  -- a receipt, with what it paid
        select jsonb_build_object(
            'payment_number', p.payment_number, 'amount', internal.mail_money(p.amount, p.currency),
            'currency', p.currency, 'method', p.method, 'received_at', internal.mail_time(p.received_at),
            'client_id', p.client_id
        ) into ctx
        from app.payments as p where p.tenant_id = e.tenant_id and p.id = e.aggregate_id;
        n := internal.mail_each(e.id, 'payment_receipt', internal.recipients('billing', (ctx ->> 'client_id')::uuid),
            'payment_receipt', ctx);
    when 'stock.low' then
        select jsonb_build_object(
            'sku', p.sku, 'product_name', p.name, 'uom', p.uom, 'location_name', l.name,
            'quantity_on_hand', e.payload -> 'quantity_on_hand', 'reorder_point', e.payload -> 'reorder_point'
        ) into ctx
        from app.products as p
        left join app.inventory_locations as l on p.tenant_id = l.tenant_id and l.id = (e.payload ->> 'location_id')::uuid
        where p.tenant_id = e.tenant_id and p.id = e.aggregate_id;
        n := internal.mail_each(e.id, 'stock_low', internal.recipients('purchasing'), 'stock_low', ctx);
    when 'stock.reorder_report' then
        n := internal.mail_each(e.id, 'reorder_report', internal.recipients('purchasing'), 'reorder_report', e.payload);
    when 'quote.expiring' then  -- the reminder, 3 days before valid_until
        n := internal.mail_each(e.id, 'quote_reminder',
            internal.recipients('billing', (e.payload ->> 'client_id')::uuid), 'quote_reminder', e.payload);
    else
        n := 0;
    end case;
    return n;
end;
$$;

-- Delivery of one event (the worker's deliver_event job): its handler, then delivered. A delivered event is
-- not handled again; a handler's mails are queued once each, so a retry after a failure queues only what is missing.
create or replace function api.deliver_event(p_event_id uuid) returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
    e app.domain_events;
    n integer;
begin
    select * into e from app.domain_events as x
    where x.tenant_id = internal.current_tenant_id() and x.id = p_event_id
    for update;
    if not found or e.delivered_at is not null then
        return 0;
    end if;
    n := internal.handle_event(e);
    update app.domain_events as x set delivered_at = now(), attempts = x.attempts + 1, last_error = null, dead_at = null
    where x.tenant_id = e.tenant_id and x.id = e.id;
    return n;
end;
$$;

-- A failed attempt, recorded in its own transaction; the last one makes the event dead (visible, retried by hand).
create or replace function api.event_failed(p_event_id uuid, p_error text, p_dead boolean) returns void
language sql volatile security definer set search_path = ''
begin atomic
    update app.domain_events as x set
        attempts = x.attempts + 1, last_error = left(p_error, 10000),
        dead_at = case when p_dead then now() end
    where x.tenant_id = internal.current_tenant_id() and x.id = p_event_id and x.delivered_at is null;
end;

-- A dead event queued again (`pgpsa worker retry`): its attempts start over.
create or replace function api.retry_event(p_event_id uuid) returns boolean
language plpgsql volatile security definer set search_path = ''
as $$
begin
    update app.domain_events as x set dead_at = null, attempts = 0
    where x.tenant_id = internal.current_tenant_id() and x.id = p_event_id and x.delivered_at is null;
    if not found then
        return false;
    end if;
    perform internal.enqueue(
        'deliver_event', jsonb_build_object('tenant_id', internal.current_tenant_id(), 'event_id', p_event_id)
    );
    return true;
end;
$$;

-- What a mail carries that is not stored in it: an approval's decision token, a portal code, a magic link's token
-- (each kept encrypted on its own row, decrypted only to send; a used code or link is gone and its mail says so).
-- Invoker's rights: the owner-run api.mail_to_send, or a superuser's `pgpsa mail show`.
-- plpgsql, so that it may name internal.decrypt_secret, made by a later file.
create or replace function internal.mail_secrets(p_tenant_id uuid, p_context jsonb) returns jsonb
language plpgsql stable set search_path = ''
as $$
begin
    return jsonb_strip_nulls(jsonb_build_object(
        'approval_token', (
            select internal.decrypt_secret(a.token_encrypted) from app.approvals as a
            where a.tenant_id = p_tenant_id and a.id = (p_context ->> 'approval_id')::uuid
        ),
        'code', (
            select internal.decrypt_secret(c.code_encrypted) from app.portal_codes as c
            where c.tenant_id = p_tenant_id and c.id = (p_context ->> 'portal_code_id')::uuid
        ),
        'magic_token', (
            select internal.decrypt_secret(l.token_encrypted) from app.portal_magic_links as l
            where l.tenant_id = p_tenant_id and l.id = (p_context ->> 'magic_link_id')::uuid
        )
    ));
end;
$$;

-- The mail to send now (the send_mail job): claimed (status sending, one more attempt), with what the message needs
-- that is not stored: the tenant's name, and an approval's decision token (kept encrypted, decrypted only here).
-- Null when it was sent already. `resumed` says a previous attempt died after claiming it: it may have gone out.
create or replace function api.mail_to_send(p_mail_id uuid) returns table (
    id uuid, template text, to_email text, to_name text, context jsonb, tenant_name text, attempts integer,
    resumed boolean
)
language plpgsql volatile security definer set search_path = ''
as $$
declare
    m app.outbound_mail;
begin
    select * into m from app.outbound_mail as x
    where x.tenant_id = internal.current_tenant_id() and x.id = p_mail_id
    for update;
    if not found or m.status = 'sent' then
        return;
    end if;
    update app.outbound_mail as x set status = 'sending', attempts = x.attempts + 1, claimed_at = now()
    where x.tenant_id = m.tenant_id and x.id = m.id;
    return query
    select m.id, m.template::text, m.to_email::text, m.to_name::text,
        m.context || internal.mail_secrets(m.tenant_id, m.context),
        t.name::text, m.attempts + 1, m.status = 'sending'
    from app.tenants as t where t.id = m.tenant_id;
end;
$$;

create or replace function api.mail_sent(p_mail_id uuid, p_provider text, p_message_id text) returns void
language sql volatile security definer set search_path = ''
begin atomic
    update app.outbound_mail as x set
        status = 'sent', sent_at = now(), provider = p_provider, provider_message_id = p_message_id, last_error = null
    where x.tenant_id = internal.current_tenant_id() and x.id = p_mail_id;
end;

create or replace function api.mail_failed(p_mail_id uuid, p_error text) returns void
language sql volatile security definer set search_path = ''
begin atomic
    update app.outbound_mail as x set status = 'failed', last_error = left(p_error, 10000)
    where x.tenant_id = internal.current_tenant_id() and x.id = p_mail_id and x.status <> 'sent';
end;

-- The stage-overdue-escalation job (seed 003 §5.2), 24 h after the stage went overdue: still overdue and its
-- managers not yet told, they are told (the stage.escalated event). Early (the clock moved back): queued again for
-- the right time. Returns 1 when it escalated. The SLA sweep calls it too, so a lost job is made good within the hour.
create or replace function api.escalate_stage(p_stage_id uuid) returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
    s app.stages;
begin
    select * into s from app.stages as x
    where x.tenant_id = internal.current_tenant_id() and x.id = p_stage_id
    for update;
    if not found or s.status <> 'overdue' or s.managers_told_at is not null then
        return 0;
    end if;
    if s.escalated_at > now() - interval '24 hours' then
        perform internal.enqueue(
            'escalate_stage', jsonb_build_object('tenant_id', s.tenant_id, 'stage_id', s.id),
            s.escalated_at + interval '24 hours', 'escalate_stage:' || s.id
        );
        return 0;
    end if;
    update app.stages as x set managers_told_at = now() where x.tenant_id = s.tenant_id and x.id = s.id;
    perform internal.record_event('stage.escalated', 'stage', s.id, jsonb_build_object(
        'project_id', s.project_id, 'overdue_since', s.escalated_at
    ));
    return 1;
end;
$$;
