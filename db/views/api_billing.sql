-- Invoices and payments as the team API shows them: totals and balances computed from lines and applications.

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
    coalesce(l.subtotal, 0) as subtotal,
    coalesce(l.tax_total, 0) as tax_total,
    coalesce(l.subtotal + l.tax_total, 0) as total,
    coalesce(a.paid, 0) as amount_paid,
    coalesce(l.subtotal + l.tax_total, 0) - coalesce(a.paid, 0) as balance_due,
    i.created_at,
    i.updated_at
from app.invoices as i
left join lateral (
    select
        sum(x.line_total) as subtotal,
        sum(x.tax_amount) as tax_total
    from app.invoice_lines as x where x.tenant_id = i.tenant_id and x.invoice_id = i.id
) as l on true
left join lateral (
    select sum(y.amount) as paid
    from app.payment_applications as y where y.tenant_id = i.tenant_id and y.invoice_id = i.id
) as a on true;

create or replace view api.invoice_lines as
select
    l.id,
    l.invoice_id,
    l.sequence,
    l.description,
    l.quantity,
    l.unit_price,
    l.tax_rate,
    l.line_total,
    l.tax_amount,
    l.source_type,
    l.order_item_id,
    l.task_id,
    l.contract_line_id
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
    coalesce(a.applied, 0) as applied_amount,
    p.amount - coalesce(a.applied, 0) as unapplied_amount,
    p.created_at
from app.payments as p
left join lateral (
    select sum(x.amount) as applied
    from app.payment_applications as x where x.tenant_id = p.tenant_id and x.payment_id = p.id
) as a on true;

create or replace view api.payment_applications as
select
    a.id,
    a.payment_id,
    a.invoice_id,
    a.amount,
    a.applied_at
from app.payment_applications as a;

create or replace view api.stripe_checkouts as
select
    s.id,
    s.invoice_id,
    s.attempt,
    s.idempotency_key,
    s.stripe_session_id,
    s.url,
    s.created_at
from app.stripe_checkouts as s;
