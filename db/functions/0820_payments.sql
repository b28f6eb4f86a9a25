-- Payments and their applications (seed 003 §2.8, §8.1 scenario 3). The rules live in triggers on
-- payment_applications, so they hold for every writer: applying locks the payment and the invoice, never exceeds
-- the payment's unapplied amount nor the invoice's balance, and moves the invoice to partial or paid.

create or replace function internal.tg_payment_applications__check() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    payment record;
    invoice record;
    amounts record;
    applied numeric;
begin
    -- Lock order: payment, then invoice; concurrent applications to the same invoice queue here.
    select p.amount, p.status, p.client_id, p.currency into payment from app.payments as p
    where p.tenant_id = new.tenant_id and p.id = new.payment_id for update;
    select i.status, i.invoice_number, i.client_id, i.currency into invoice from app.invoices as i
    where i.tenant_id = new.tenant_id and i.id = new.invoice_id for update;
    if payment.status is null then
        perform internal.not_found('payment', new.payment_id);
    elsif invoice.status is null then
        perform internal.not_found('invoice', new.invoice_id);
    end if;
    if payment.status is distinct from 'received' then
        raise exception using errcode = 'PT409', message = 'Only a received payment can be applied.';
    end if;
    if invoice.status not in ('sent', 'partial') then
        raise exception using
            errcode = 'PT409',
            message = format('Invoice %s is %s; payments apply to sent or partly paid invoices.',
                coalesce(invoice.invoice_number, 'draft'), invoice.status);
    end if;
    if invoice.client_id <> payment.client_id then
        raise exception using errcode = 'PT422', message = 'A payment applies to invoices of the client who paid.';
    end if;
    if invoice.currency <> payment.currency then
        raise exception using errcode = 'PT422', message = 'A payment applies to invoices in its own currency.';
    end if;
    select * into amounts from internal.invoice_amounts(new.tenant_id, new.invoice_id);
    if new.amount > amounts.total - amounts.paid then
        raise exception using
            errcode = 'PT409',
            message = format('%s is more than the balance of invoice %s (%s).', new.amount, invoice.invoice_number,
                amounts.total - amounts.paid);
    end if;
    select coalesce(sum(a.amount), 0) into applied from app.payment_applications as a
    where a.tenant_id = new.tenant_id and a.payment_id = new.payment_id;
    if applied + new.amount > payment.amount then
        raise exception using
            errcode = 'PT409',
            message = format('%s is more than what is left of the payment (%s).', new.amount, payment.amount - applied);
    end if;
    return new;
end;
$$;

drop trigger if exists trg_payment_applications_100_check on app.payment_applications;
create trigger trg_payment_applications_100_check before insert on app.payment_applications
for each row execute function internal.tg_payment_applications__check();

-- Unapplying: only on a non-void invoice; the invoice is locked while its status follows.
create or replace function internal.tg_payment_applications__unapply() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
    if (
        select i.status from app.invoices as i where i.tenant_id = old.tenant_id and i.id = old.invoice_id for update
    ) = 'void' then
        raise exception using errcode = 'PT409', message = 'Payments on a void invoice stay as they are.';
    end if;
    return old;
end;
$$;

drop trigger if exists trg_payment_applications_110_unapply on app.payment_applications;
create trigger trg_payment_applications_110_unapply before delete on app.payment_applications
for each row execute function internal.tg_payment_applications__unapply();

-- After an application or its removal: the invoice's status follows its balance; a deposit paid releases the
-- project's waiting stage; the events are recorded.
create or replace function internal.tg_payment_applications__settle() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    a record := case when tg_op = 'DELETE' then old else new end;
    invoice record;
    settled text := internal.settlement_status(a.tenant_id, a.invoice_id);
begin
    update app.invoices as i set status = settled
    where i.tenant_id = a.tenant_id and i.id = a.invoice_id and i.status <> settled
    returning i.id, i.kind, i.project_id, i.status into invoice;
    perform internal.record_event(
        case when tg_op = 'DELETE' then 'payment.unapplied' else 'payment.applied' end, 'payment', a.payment_id,
        jsonb_build_object('invoice_id', a.invoice_id, 'amount', a.amount, 'invoice_status', settled)
    );
    if invoice.status = 'paid' then
        perform internal.record_event('invoice.paid', 'invoice', invoice.id, '{}');
        if invoice.kind = 'deposit' and invoice.project_id is not null then
            perform internal.release_deposit_stage(a.tenant_id, invoice.project_id);
        end if;
    end if;
    return null;
end;
$$;

drop trigger if exists trg_payment_applications_500_settle on app.payment_applications;
create trigger trg_payment_applications_500_settle after insert or delete on app.payment_applications
for each row execute function internal.tg_payment_applications__settle();

-- Bodies are typed by their shapes (db/migrations/0017_shapes_sales.sql).
drop function if exists api.record_payment(jsonb);
create or replace function api.record_payment(p api.payment_create) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
    payment uuid;
begin
    perform internal.require_access('payments', 'insert');
    insert into app.payments (tenant_id, payment_number, client_id, method, reference, amount, currency, received_at, created_by)
    values (
        internal.current_tenant_id(), internal.next_document_number('payment'), (p ->> 'client_id')::uuid,
        p ->> 'method', p ->> 'reference', (p ->> 'amount')::numeric, coalesce(p ->> 'currency', 'USD'),
        coalesce((p ->> 'received_at')::timestamptz, now()), internal.current_user_id()
    ) returning id into payment;
    perform internal.record_event('payment.posted', 'payment', payment,
        jsonb_build_object('amount', p -> 'amount', 'method', p -> 'method'));
    return payment;
end;
$$;

-- Applies in invoice order, so two payments touching the same invoices lock them in the same order.
-- p_applications is the body's applications: [{invoice_id, amount}].
drop function if exists api.apply_payment(uuid, jsonb);
create or replace function api.apply_payment(p_payment_id uuid, p_applications api.payment_applications_json)
returns table (
    invoice_id uuid, invoice_number app.code, balance_due app.money, status app.invoice_status,
    payment_unapplied app.money
)
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('payment_applications', 'insert');
    if not exists (
        select from app.payments as p where p.tenant_id = internal.current_tenant_id() and p.id = p_payment_id
    ) then
        perform internal.not_found('payment', p_payment_id);
    end if;
    if jsonb_typeof(p_applications) is distinct from 'array' or jsonb_array_length(p_applications) = 0 then
        raise exception using errcode = 'PT422', message = 'Give at least one application: {"invoice_id", "amount"}.';
    end if;
    insert into app.payment_applications (tenant_id, payment_id, invoice_id, amount, applied_by)
    select internal.current_tenant_id(), p_payment_id, (x.value ->> 'invoice_id')::uuid, (x.value ->> 'amount')::numeric,
        internal.current_user_id()
    from jsonb_array_elements(p_applications) as x
    order by (x.value ->> 'invoice_id')::uuid;
    return query
    select i.id, i.invoice_number, i.balance_due, i.status, p.unapplied_amount
    from api.invoices as i, api.payments as p
    where i.id in (select (x.value ->> 'invoice_id')::uuid from jsonb_array_elements(p_applications) as x)
      and p.id = p_payment_id;
end;
$$;

create or replace function api.unapply_payment(p_application_id uuid) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('payment_applications', 'delete');
    delete from app.payment_applications as a
    where a.tenant_id = internal.current_tenant_id() and a.id = p_application_id;
    if not found then
        perform internal.not_found('payment application', p_application_id);
    end if;
    return p_application_id;
end;
$$;
