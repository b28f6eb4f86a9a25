-- Stripe: checkout attempts with an idempotency key derived from the invoice and the attempt, and webhook events
-- stored by event id in the same transaction as their effect (a replay is a no-op; a paid invoice never moves back).

-- Money in a currency's minor units (what Stripe counts): 12.34 USD is 1234, 1234 JPY is 1234, 1.234 KWD is 1234.
create or replace function internal.to_minor_units(p_amount numeric, p_currency text) returns bigint
language sql stable set search_path = ''
begin atomic
    select (p_amount * 10 ^ c.minor_units)::bigint from app.currencies as c
    where c.code = p_currency;
end;

create or replace function internal.from_minor_units(p_amount bigint, p_currency text) returns numeric
language sql stable set search_path = ''
begin atomic
    select p_amount / (10 ^ c.minor_units)::numeric from app.currencies as c
    where c.code = p_currency;
end;

-- An attempt not yet given a session, for the same amount, is reused with its key: if Stripe made the session but we
-- never recorded it, the retry gets that same session back instead of a second one.
-- The attempt itself, shared by staff (api.begin_stripe_checkout) and the portal (portal.begin_checkout), each of
-- which checks its caller first; owner-run, in the caller's tenant, so it reads the balance whoever asks.
create or replace function internal.begin_checkout(p_invoice_id uuid)
returns table (
    attempt integer, idempotency_key text, invoice_number text, amount_due numeric, currency text, client_email text,
    amount_due_minor bigint
)
language plpgsql volatile security definer set search_path = ''
as $$
declare
    invoice record;
    open_attempt record;
begin
    -- Two clicks on Pay take turns on the invoice: the second finds the first's attempt and gets it back (the same
    -- idempotency key, so Stripe's same session), instead of racing it to the attempt number.
    perform from app.invoices as i where i.tenant_id = internal.current_tenant_id() and i.id = p_invoice_id for update;
    -- The balance as internal.invoice_totals (db/views/portal.sql) states it: lines and tax, less what is applied.
    select i.id, i.invoice_number, i.status, i.currency, c.email, x.balance_due
    into invoice
    from app.invoices as i
    inner join app.clients as c on i.tenant_id = c.tenant_id and i.client_id = c.id
    inner join internal.invoice_totals as x on i.tenant_id = x.tenant_id and i.id = x.invoice_id
    where i.tenant_id = internal.current_tenant_id() and i.id = p_invoice_id;
    if invoice.id is null then
        perform internal.not_found('invoice', p_invoice_id);
    elsif invoice.status not in ('sent', 'partial') then
        raise exception using errcode = 'PT409', message = format('This invoice is %s; only a sent invoice is paid online.', invoice.status);
    end if;
    select s.attempt, s.idempotency_key, s.amount_due, s.stripe_session_id into open_attempt from app.stripe_checkouts as s
    where s.tenant_id = internal.current_tenant_id() and s.invoice_id = p_invoice_id
    order by s.attempt desc limit 1;
    if open_attempt.attempt is null or open_attempt.stripe_session_id is not null
        or open_attempt.amount_due <> invoice.balance_due then
        open_attempt.attempt := coalesce(open_attempt.attempt, 0) + 1;
        open_attempt.idempotency_key := 'pgpsa-invoice-' || p_invoice_id || '-attempt-' || open_attempt.attempt;
        insert into app.stripe_checkouts (tenant_id, invoice_id, attempt, idempotency_key, amount_due)
        values (internal.current_tenant_id(), p_invoice_id, open_attempt.attempt, open_attempt.idempotency_key,
            invoice.balance_due);
    end if;
    return query select open_attempt.attempt, open_attempt.idempotency_key::text, invoice.invoice_number::text,
        invoice.balance_due::numeric,
        invoice.currency::text, invoice.email::text, internal.to_minor_units(invoice.balance_due, invoice.currency);
end;
$$;

create or replace function internal.record_checkout(p_invoice_id uuid, p_attempt integer, p_session_id text, p_url text)
returns uuid
language sql volatile security definer set search_path = ''
begin atomic
    -- An attempt keeps the session first recorded for it (a retry records the same one again).
    update app.stripe_checkouts as s set stripe_session_id = p_session_id, url = p_url
    where
        s.tenant_id = internal.current_tenant_id() and s.invoice_id = p_invoice_id and s.attempt = p_attempt
        and (s.stripe_session_id is null or s.stripe_session_id = p_session_id)
    returning s.id;
end;

drop function if exists api.begin_stripe_checkout(uuid);  -- it returns the amount in minor units now
create or replace function api.begin_stripe_checkout(p_invoice_id uuid)
returns table (
    attempt integer, idempotency_key text, invoice_number text, amount_due numeric, currency text, client_email text,
    amount_due_minor bigint
)
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('stripe_checkouts', 'insert');
    if not exists (select from app.invoices as i where i.tenant_id = internal.current_tenant_id() and i.id = p_invoice_id) then
        perform internal.not_found('invoice', p_invoice_id);
    end if;
    return query select * from internal.begin_checkout(p_invoice_id);
end;
$$;

create or replace function api.record_stripe_checkout(
    p_invoice_id uuid, p_attempt integer, p_session_id text, p_url text
)
returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('stripe_checkouts', 'update');
    return internal.record_checkout(p_invoice_id, p_attempt, p_session_id, p_url);
end;
$$;

-- A webhook has no signed-in user: this runs as the owner, for pgpsa_webhook only, and works in the tenant the
-- event's metadata names (the service verified Stripe's signature first) and only on an invoice for which that
-- tenant started a checkout: an event cannot reach an invoice we never offered for payment. The amount comes in the
-- currency's minor units, as Stripe counts it. Outcome: applied, duplicate, already_paid or ignored. Money received
-- is always recorded: for a paid invoice it stays on the payment, unapplied, for a person to refund.
drop function if exists api.record_stripe_event(text, text, uuid, uuid, numeric, text, text);
create or replace function api.record_stripe_event(
    p_event_id text, p_event_type text, p_tenant_id uuid, p_invoice_id uuid, p_amount_minor bigint, p_currency text,
    p_reference text
) returns text
language plpgsql volatile security definer set search_path = ''
as $$
declare
    caller_tenant text := current_setting('pgpsa.tenant_id', true);
    invoice record;
    amount numeric;
    payment uuid;
    outcome text;
begin
    if not exists (select from app.tenants as t where t.id = p_tenant_id) then
        return 'ignored';  -- nothing to store it under; Stripe is told it arrived, so it stops redelivering
    end if;
    perform set_config('pgpsa.tenant_id', p_tenant_id::text, true);
    -- Lock the invoice first: a replay racing this one waits here, then finds the event stored.
    select i.id, i.status, i.client_id, i.currency into invoice from app.invoices as i
    where i.tenant_id = p_tenant_id and i.id = p_invoice_id
      and exists (select from app.stripe_checkouts as s where s.tenant_id = i.tenant_id and s.invoice_id = i.id)
    for update;
    if exists (select from app.stripe_events as e where e.tenant_id = p_tenant_id and e.event_id = p_event_id) then
        perform set_config('pgpsa.tenant_id', coalesce(caller_tenant, ''), true);
        return 'duplicate';
    end if;
    if invoice.currency is not null and upper(p_currency) = invoice.currency then
        amount := internal.from_minor_units(p_amount_minor, invoice.currency);
    end if;
    if invoice.id is null or amount is null or amount <= 0 or p_event_type not in (
        'checkout.session.completed', 'checkout.session.async_payment_succeeded', 'invoice.paid'
    ) then
        outcome := 'ignored';
    else
        insert into app.payments (tenant_id, payment_number, client_id, method, reference, amount, currency)
        values (
            p_tenant_id, internal.next_document_number('payment'), invoice.client_id, 'stripe', p_reference, amount,
            invoice.currency
        ) returning id into payment;
        perform internal.record_event('payment.posted', 'payment', payment,
            jsonb_build_object('amount', amount, 'method', 'stripe', 'stripe_event_id', p_event_id));
        if invoice.status = 'paid' then
            outcome := 'already_paid';
        elsif invoice.status in ('sent', 'partial') then
            -- More than the balance stays on the payment, unapplied.
            insert into app.payment_applications (tenant_id, payment_id, invoice_id, amount)
            select p_tenant_id, payment, p_invoice_id, least(amount, m.total - m.paid)
            from internal.invoice_amounts(p_tenant_id, p_invoice_id) as m;
            outcome := 'applied';
        else
            outcome := 'ignored';
        end if;
    end if;
    insert into app.stripe_events (tenant_id, event_id, event_type, invoice_id, payment_id, outcome)
    values (p_tenant_id, p_event_id, p_event_type, invoice.id, payment, outcome);
    perform set_config('pgpsa.tenant_id', coalesce(caller_tenant, ''), true);
    return outcome;
end;
$$;

grant execute on function internal.to_minor_units(numeric, text), internal.from_minor_units(bigint, text)
to pgpsa_door_api;
