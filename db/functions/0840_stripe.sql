-- Stripe: checkout attempts with an idempotency key derived from the invoice and the attempt, and webhook events
-- stored by event id in the same transaction as their effect (a replay is a no-op; a paid invoice never moves back).

create or replace function api.begin_stripe_checkout(p_invoice_id uuid)
returns table (
    attempt integer, idempotency_key text, invoice_number text, amount_due numeric, currency text, client_email text
)
language plpgsql volatile set search_path = ''
as $$
declare
    invoice record;
    next_attempt integer;
begin
    perform internal.require_permission('invoices:write');
    select i.id, i.invoice_number, i.status, i.balance_due, i.currency, c.email into invoice
    from api.invoices as i join app.clients as c on c.tenant_id = internal.current_tenant_id() and c.id = i.client_id
    where i.id = p_invoice_id;
    if invoice.id is null then
        perform internal.not_found('invoice', p_invoice_id);
    elsif invoice.status not in ('sent', 'partial') then
        raise exception using errcode = 'PT409', message = format('This invoice is %s; only a sent invoice is paid online.', invoice.status);
    end if;
    select coalesce(max(s.attempt), 0) + 1 into next_attempt from app.stripe_checkouts as s
    where s.tenant_id = internal.current_tenant_id() and s.invoice_id = p_invoice_id;
    insert into app.stripe_checkouts (tenant_id, invoice_id, attempt, idempotency_key)
    values (
        internal.current_tenant_id(), p_invoice_id, next_attempt,
        'pgpsa-invoice-' || p_invoice_id || '-attempt-' || next_attempt
    );
    return query select next_attempt, 'pgpsa-invoice-' || p_invoice_id || '-attempt-' || next_attempt,
        invoice.invoice_number, invoice.balance_due, invoice.currency::text, invoice.email::text;
end;
$$;

create or replace function api.record_stripe_checkout(
    p_invoice_id uuid, p_attempt integer, p_session_id text, p_url text
)
returns uuid
language sql volatile set search_path = ''
begin atomic
    update app.stripe_checkouts as s set stripe_session_id = p_session_id, url = p_url
    where s.tenant_id = internal.current_tenant_id() and s.invoice_id = p_invoice_id and s.attempt = p_attempt
    returning s.id;
end;

-- A webhook has no signed-in user: this runs as the owner and sets the tenant named in the event's metadata
-- (the service verified the signature first). Outcome: applied, duplicate, already_paid or ignored.
create or replace function api.record_stripe_event(
    p_event_id text, p_event_type text, p_tenant_id uuid, p_invoice_id uuid, p_amount numeric, p_currency text,
    p_reference text
) returns text
language plpgsql volatile security definer set search_path = ''
as $$
declare
    caller_tenant text := current_setting('pgpsa.tenant_id', true);
    invoice record;
    payment uuid;
    outcome text;
begin
    perform set_config('pgpsa.tenant_id', p_tenant_id::text, true);
    if exists (select from app.stripe_events as e where e.tenant_id = p_tenant_id and e.event_id = p_event_id) then
        perform set_config('pgpsa.tenant_id', coalesce(caller_tenant, ''), true);
        return 'duplicate';
    end if;
    select i.id, i.status, i.client_id, i.balance_due into invoice from api.invoices as i where i.id = p_invoice_id;
    if invoice.id is null then
        raise exception using errcode = 'PT404', message = 'The event names no invoice of this tenant.';
    end if;
    -- Lock the invoice, so a replay racing this one waits and then sees the event stored.
    perform from app.invoices as i where i.tenant_id = p_tenant_id and i.id = p_invoice_id for update;
    if p_event_type not in ('checkout.session.completed', 'invoice.paid', 'payment_intent.succeeded') then
        outcome := 'ignored';
    elsif invoice.status = 'paid' then
        outcome := 'already_paid';
    elsif invoice.status not in ('sent', 'partial') or p_amount is null or p_amount <= 0 then
        outcome := 'ignored';
    else
        insert into app.payments (tenant_id, payment_number, client_id, method, reference, amount, currency)
        values (
            p_tenant_id, internal.next_document_number('payment'), invoice.client_id, 'stripe', p_reference, p_amount,
            upper(coalesce(p_currency, 'USD'))
        ) returning id into payment;
        perform internal.record_event('payment.posted', 'payment', payment,
            jsonb_build_object('amount', p_amount, 'method', 'stripe', 'stripe_event_id', p_event_id));
        -- More than the balance stays on the payment, unapplied, for a person to look at.
        insert into app.payment_applications (tenant_id, payment_id, invoice_id, amount)
        values (p_tenant_id, payment, p_invoice_id, least(p_amount, invoice.balance_due));
        outcome := 'applied';
    end if;
    -- The unique key makes a concurrent replay fail here, rolling its effect back with it.
    insert into app.stripe_events (tenant_id, event_id, event_type, invoice_id, payment_id, outcome)
    values (p_tenant_id, p_event_id, p_event_type, p_invoice_id, payment, outcome);
    perform set_config('pgpsa.tenant_id', coalesce(caller_tenant, ''), true);
    return outcome;
end;
$$;

grant execute on function api.begin_stripe_checkout(uuid), api.record_stripe_checkout(uuid, integer, text, text),
api.record_stripe_event(text, text, uuid, uuid, numeric, text, text) to pgpsa_staff;
