-- Invoices and payments as the team API shows them: totals and balances computed from lines and applications, as
-- app.money (measures as app.quantity and app.percent), so the service knows a decimal string from a number. Each
-- is a correlated subquery in the select list, so it costs only the rows read: a read by id, a page after its sort
-- and limit (PostgreSQL postpones costly select-list expressions past them); a count leaves them out. Each sum is
-- named once, in a lateral without a FROM, which the planner folds into the select list.

create or replace view api.invoices as
select
    i.id,
    i.invoice_number,
    i.client_id,
    i.order_id,
    i.project_id,
    i.kind,
    i.status,
    i.issue_date,
    i.due_date,
    i.currency::text as currency,
    i.notes,
    i.sent_at,
    i.voided_at,
    i.void_reason,
    coalesce(l.subtotal, 0)::app.money as subtotal,
    coalesce(l.tax_total, 0)::app.money as tax_total,
    coalesce(l.subtotal + l.tax_total, 0)::app.money as total,
    coalesce(a.paid, 0)::app.money as amount_paid,
    (coalesce(l.subtotal + l.tax_total, 0) - coalesce(a.paid, 0))::app.money as balance_due,
    i.created_at,
    i.updated_at,
    i.tenant_id
from app.invoices as i
cross join
    lateral (  -- noqa: ST05
        select
            (
                select sum(x.line_total) from app.invoice_lines as x
                where x.tenant_id = i.tenant_id and x.invoice_id = i.id
            ) as subtotal,
            (
                select sum(x.tax_amount) from app.invoice_lines as x
                where x.tenant_id = i.tenant_id and x.invoice_id = i.id
            ) as tax_total
    ) as l
cross join lateral (  -- noqa: ST05
    select (
        select sum(y.amount) from app.payment_applications as y
        where y.tenant_id = i.tenant_id and y.invoice_id = i.id
    ) as paid
) as a;

create or replace view api.invoice_lines as
select
    l.id,
    l.invoice_id,
    l.sequence,
    l.description,
    l.quantity::app.quantity as quantity,
    l.unit_price::app.money as unit_price,
    l.tax_rate::app.percent as tax_rate,
    l.line_total::app.money as line_total,
    l.tax_amount::app.money as tax_amount,
    l.source_type,
    l.order_item_id,
    l.task_id,
    l.contract_line_id,
    l.tenant_id
from app.invoice_lines as l;

create or replace view api.payments as
select
    p.id,
    p.payment_number,
    p.client_id,
    p.method,
    p.reference,
    p.amount,
    p.currency::text as currency,
    p.received_at,
    p.status,
    coalesce(a.applied, 0)::app.money as applied_amount,
    (p.amount - coalesce(a.applied, 0))::app.money as unapplied_amount,
    p.created_at,
    p.tenant_id
from app.payments as p
cross join lateral (  -- noqa: ST05
    select (
        select sum(x.amount) from app.payment_applications as x
        where x.tenant_id = p.tenant_id and x.payment_id = p.id
    ) as applied
) as a;

create or replace view api.payment_applications as
select
    a.id,
    a.payment_id,
    a.invoice_id,
    a.amount,
    a.applied_at,
    a.tenant_id
from app.payment_applications as a;

create or replace view api.stripe_checkouts as
select
    s.id,
    s.invoice_id,
    s.attempt,
    s.idempotency_key,
    s.stripe_session_id,
    s.url,
    s.created_at,
    s.tenant_id
from app.stripe_checkouts as s;

comment on column api.invoices.amount_paid is 'What payments applied to the invoice come to.';
comment on column api.invoices.balance_due is 'What is left to pay: total less amount_paid.';
comment on column api.payments.applied_amount is 'What of the payment is applied to invoices.';
comment on column api.payments.unapplied_amount is 'What is left of the payment to apply.';
comment on column api.stripe_checkouts.idempotency_key is
'The key the service sends Stripe so a retried checkout is the same session. @internal';

-- tenant_id: the key the service names in its reads (README, "Reads name their tenant"); never a field.
comment on column api.invoices.tenant_id is '@internal';
comment on column api.invoice_lines.tenant_id is '@internal';
comment on column api.payments.tenant_id is '@internal';
comment on column api.payment_applications.tenant_id is '@internal';
comment on column api.stripe_checkouts.tenant_id is '@internal';
