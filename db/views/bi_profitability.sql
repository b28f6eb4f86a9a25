-- BI: profitability per job type (seed 003 §6.4, built as the snippet means it). Each part is summed per job type
-- and currency on its own, then joined, so no part is counted once per row of another (the seed's joins multiply
-- them):
--   revenue   the orders' lines after discount, before tax;
--   material  stock consumed against the orders' lines, at the product's cost price;
--   labor     time logged on the orders' projects, at the labor rate of the worker's role in effect on the day
--             worked (app.labor_rates; tasks carry no role: the seed's join on one does not exist).
-- Each movement's and time entry's cost rounds half-up to cents (internal.line_gross), as every priced line does;
-- a time entry's cost is internal.entry_labor's, summed per project in app.project_totals.
-- Products and labor rates carry no currency: their costs are taken to be in the order's currency.
create or replace view bi.profitability as
-- Inlined into each part (not one materialized list), so each part is planned with the orders' statistics.
with jobs as not materialized (
    select
        o.tenant_id,
        o.id as order_id,
        o.project_type,
        o.currency
    from app.orders as o
    where o.status <> 'cancelled'
),

orders_by_type as (
    select
        j.project_type,
        j.currency,
        count(*) as orders
    from jobs as j
    group by j.project_type, j.currency
),

revenue as (
    select
        j.project_type,
        j.currency,
        sum(i.line_total) as amount
    from app.order_items as i
    inner join jobs as j on i.tenant_id = j.tenant_id and i.order_id = j.order_id
    group by j.project_type, j.currency
),

material as (
    select
        j.project_type,
        j.currency,
        sum(internal.line_gross(m.quantity, p.cost_price)) as amount
    from app.stock_movements as m
    inner join app.order_items as i on m.tenant_id = i.tenant_id and m.order_item_id = i.id
    inner join app.products as p on m.tenant_id = p.tenant_id and m.product_id = p.id
    inner join jobs as j on i.tenant_id = j.tenant_id and i.order_id = j.order_id
    where m.movement_type = 'consume'
    group by j.project_type, j.currency
),

labor as (
    select
        j.project_type,
        j.currency,
        sum(x.hours) as hours,
        sum(x.unrated_hours) as unrated_hours,
        sum(x.labor_cost) as amount
    from app.project_totals as x
    inner join app.projects as p on x.tenant_id = p.tenant_id and x.project_id = p.id
    inner join jobs as j on p.tenant_id = j.tenant_id and p.order_id = j.order_id
    group by j.project_type, j.currency
),

per_type as (
    select
        o.project_type,
        o.currency,
        o.orders,
        coalesce(v.amount, 0) as revenue,
        coalesce(m.amount, 0) as material_cost,
        coalesce(l.hours, 0) as labor_hours,
        coalesce(l.unrated_hours, 0) as unrated_hours,
        coalesce(l.amount, 0) as labor_cost
    from orders_by_type as o
    left join revenue as v on o.project_type = v.project_type and o.currency = v.currency
    left join material as m on o.project_type = m.project_type and o.currency = m.currency
    left join labor as l on o.project_type = l.project_type and o.currency = l.currency
)

select
    t.project_type,
    t.currency,
    t.orders::integer as orders,
    t.revenue::app.money as revenue,
    t.material_cost::app.money as material_cost,
    round(t.labor_hours, 2) as labor_hours,
    round(t.unrated_hours, 2) as unrated_hours,
    t.labor_cost::app.money as labor_cost,
    (t.revenue - t.material_cost - t.labor_cost)::app.money as profit,
    round(100 * (t.revenue - t.material_cost - t.labor_cost) / nullif(t.revenue, 0), 2) as margin_pct
from per_type as t;

comment on view bi.profitability is
'Profitability per job type (the order''s project type) and currency, over all orders not cancelled: revenue from '
'the order lines, material from stock consumed against them at cost price, labor from hours logged on the orders'' '
'projects at the labor rate of each worker''s role on the day worked.';
comment on column bi.profitability.project_type is 'The job type: the order''s project type (banner, sign, ...).';
comment on column bi.profitability.currency is 'The orders'' currency (ISO 4217); costs are taken to be in it.';
comment on column bi.profitability.orders is 'Orders of this type and currency, not cancelled (count).';
comment on column bi.profitability.revenue is 'Sum of the orders'' line totals after discount, before tax (money).';
comment on column bi.profitability.material_cost is
'Stock consumed against the orders'' lines: quantity x the product''s cost price, each movement rounded (money).';
comment on column bi.profitability.labor_hours is 'Hours logged on the orders'' projects (hours, numeric).';
comment on column bi.profitability.unrated_hours is
'Of those, hours of a role with no labor rate on the day worked: they cost nothing here (hours, numeric).';
comment on column bi.profitability.labor_cost is
'Each time entry''s hours x the labor rate of its worker''s role in effect on its work date, rounded (money).';
comment on column bi.profitability.profit is 'revenue - material_cost - labor_cost (money).';
comment on column bi.profitability.margin_pct is
'profit / revenue x 100 (percent, rounded to 2 decimals; negative for a loss); null with no revenue.';
