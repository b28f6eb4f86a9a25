-- BI sales views: lead to order conversion (seed 003 §6.1), the quote pipeline and deposits outstanding (seed 003
-- §5.1). Months are the first day of the UTC month (internal.report_date, internal.report_month).

-- A lead converts when an order (not cancelled) came from one of its quotes; won is the lead's own status, as the
-- seed's query counts it. Every month from the first lead's to the current one has a row, empty months too.
create or replace view bi.lead_conversion as
with leads as (
    select
        internal.report_month(internal.report_date(l.created_at)) as month,
        l.status = 'closed_won' as won,
        exists(
            select from app.quotes as q
            inner join app.orders as o on q.tenant_id = o.tenant_id and q.id = o.quote_id
            where q.tenant_id = l.tenant_id and q.lead_id = l.id and o.status <> 'cancelled'
        ) as converted
    from app.leads as l
),

span as (
    select
        min(x.month) as first_month,
        max(x.month) as last_month
    from leads as x
),

months as (
    select m.month::date as month
    from span as b
    cross join lateral generate_series(
        b.first_month::timestamp,
        greatest(b.last_month, internal.report_month(internal.report_today()))::timestamp,
        interval '1 month'
    ) as m (month)
)

select
    m.month,
    count(l.month)::integer as leads,
    count(*) filter (where l.converted)::integer as converted_leads,
    count(*) filter (where l.won)::integer as won_leads,
    round(100.0 * count(*) filter (where l.converted) / nullif(count(l.month), 0), 2) as conversion_pct
from months as m
left join leads as l on m.month = l.month
group by m.month;

comment on view bi.lead_conversion is
'One row per month (UTC) from the tenant''s first lead to the current month, empty months included: the leads '
'created that month and how many of them turned into an order.';
comment on column bi.lead_conversion.month is 'The month the leads were created in (date, its first day, UTC).';
comment on column bi.lead_conversion.leads is 'Leads created in the month (count).';
comment on column bi.lead_conversion.converted_leads is
'Of those, leads with an order (not cancelled) made from one of their quotes, whenever it came (count).';
comment on column bi.lead_conversion.won_leads is 'Of those, leads whose status is closed_won (count).';
comment on column bi.lead_conversion.conversion_pct is
'converted_leads / leads x 100 (percent, rounded to 2 decimals); null in a month with no leads.';

-- Quotes by the month they were created, their status now and their currency.
create or replace view bi.quote_pipeline as
with quote_totals as (
    select
        i.tenant_id,
        i.quote_id,
        sum(i.line_total) as net,
        sum(i.tax_amount) as tax
    from app.quote_items as i
    group by i.tenant_id, i.quote_id
)

select
    internal.report_month(internal.report_date(q.created_at)) as month,
    q.status,
    q.currency,
    count(*)::integer as quotes,
    coalesce(sum(t.net), 0)::app.money as net_amount,
    coalesce(sum(t.net + t.tax), 0)::app.money as total_amount
from app.quotes as q
left join quote_totals as t on q.tenant_id = t.tenant_id and q.id = t.quote_id
group by internal.report_month(internal.report_date(q.created_at)), q.status, q.currency;

comment on view bi.quote_pipeline is
'One row per month (UTC) the quotes were created in, status and currency: how many quotes and what they come to.';
comment on column bi.quote_pipeline.month is 'The month the quotes were created in (date, its first day, UTC).';
comment on column bi.quote_pipeline.status is 'The quotes'' status now: draft, sent, accepted, rejected or expired.';
comment on column bi.quote_pipeline.currency is
'The quotes'' currency (ISO 4217); amounts are never summed across currencies.';
comment on column bi.quote_pipeline.quotes is 'Quotes (count).';
comment on column bi.quote_pipeline.net_amount is
'Sum of the quotes'' line totals after discount, before tax (money, in currency).';
comment on column bi.quote_pipeline.total_amount is 'Sum of the quotes'' totals with tax (money, in currency).';

-- api.outstanding_deposits' rule: an open order (not completed or cancelled) whose deposit received (payments applied
-- to its deposit invoices, internal.order_facts) is less than its deposit required.
create or replace view bi.deposits_outstanding as
select
    o.id as order_id,
    o.order_number,
    o.client_id,
    c.name as client_name,
    o.status,
    o.currency,
    o.deposit_required,
    f.deposit_received::app.money as deposit_received,
    (o.deposit_required - f.deposit_received)::app.money as deposit_outstanding,
    internal.report_date(o.created_at) as ordered_on,
    internal.report_today() - internal.report_date(o.created_at) as days_outstanding
from app.orders as o
inner join internal.order_facts as f on o.tenant_id = f.tenant_id and o.id = f.order_id
inner join app.clients as c on o.tenant_id = c.tenant_id and o.client_id = c.id
where o.status not in ('completed', 'cancelled') and o.deposit_required > f.deposit_received;

comment on view bi.deposits_outstanding is
'One row per open order (not completed or cancelled) whose deposit is not received in full, now.';
comment on column bi.deposits_outstanding.order_id is 'The order''s id.';
comment on column bi.deposits_outstanding.order_number is 'The order''s number (SO-...).';
comment on column bi.deposits_outstanding.client_id is 'The ordering client (bi.clients.id).';
comment on column bi.deposits_outstanding.client_name is 'The client''s name.';
comment on column bi.deposits_outstanding.status is 'The order''s status: pending, in_production, on_hold or ready.';
comment on column bi.deposits_outstanding.currency is 'The order''s currency (ISO 4217).';
comment on column bi.deposits_outstanding.deposit_required is 'The deposit the order asks for (money, in currency).';
comment on column bi.deposits_outstanding.deposit_received is
'Payments applied to the order''s deposit invoices that are not void (money, in currency).';
comment on column bi.deposits_outstanding.deposit_outstanding is
'deposit_required less deposit_received (money, in currency).';
comment on column bi.deposits_outstanding.ordered_on is 'The day the order was created (date, UTC).';
comment on column bi.deposits_outstanding.days_outstanding is 'Days from ordered_on to today (UTC), in days.';
