-- Sales, job tickets and inventory as the team API shows them: money totals computed from the lines, the deposit
-- received derived from payments, stock below its reorder point. Computed columns carry their domain (money as
-- app.money, measures as app.quantity or app.percent), so the service knows a decimal string from a number; JSON
-- columns are built from the types their @shape tag names (db/migrations/0017_shapes_sales.sql). Totals are correlated
-- subqueries in the select list, each named once in a lateral without a FROM (folded into the select list): they
-- cost only the rows read, a page's after its sort and limit, and a count leaves them out.

-- The tenant's sales rules, its defaults until set, for a reader who may read them (the permission declared for
-- reading app.sales_settings); api.update_sales_settings changes them.
create or replace view api.sales_settings as
select
    t.id as tenant_id,
    coalesce(s.deposit_percent, 50)::app.percent as deposit_percent,
    coalesce(s.allow_negative_stock, false) as allow_negative_stock,
    s.purchasing_email
from app.tenants as t
left join app.sales_settings as s on t.id = s.tenant_id
where
    t.id = internal.current_tenant_id()
    and exists (
        select from internal.table_permissions as tp
        cross join lateral unnest(tp.permissions) as n (permission)
        where tp.table_name = 'sales_settings' and tp.command = 'select' and internal.has_permission(n.permission)
    );
comment on view api.sales_settings is 'The tenant''s sales settings: one row, the current tenant''s.';
comment on column api.sales_settings.tenant_id is 'The tenant''s id (what api.update_sales_settings returns).';
comment on column api.sales_settings.deposit_percent is
'The share of a confirmed order''s total its deposit invoice asks for.';
comment on column api.sales_settings.allow_negative_stock is 'Whether a movement may leave stock below zero.';
comment on column api.sales_settings.purchasing_email is
'Where stock alerts and the daily reorder report are mailed (else the managers).';

create or replace view api.products as
select
    p.id,
    p.sku,
    p.name,
    p.product_type,
    p.description,
    p.default_price,
    p.cost_price,
    p.tax_rate,
    p.uom,
    p.track_inventory,
    p.archived_at,
    p.created_at,
    p.updated_at,
    p.tenant_id
from app.products as p;

create or replace view api.labor_rates as
select
    r.id,
    r.role,
    r.hourly_rate,
    r.effective_from,
    r.created_at,
    r.updated_at,
    r.tenant_id
from app.labor_rates as r;

create or replace view api.leads as
select
    l.id,
    l.name,
    l.source,
    l.client_id,
    l.status,
    l.contact_name,
    l.email::text as email,
    l.phone,
    l.estimated_value,
    l.expected_close,
    l.notes,
    l.created_by,
    l.created_at,
    l.updated_at,
    l.tenant_id
from app.leads as l;

create or replace view api.quote_items as
select
    i.id,
    i.quote_id,
    i.sequence,
    i.product_id,
    i.description,
    i.quantity::app.quantity as quantity,
    i.unit_price::app.money as unit_price,
    i.discount_pct::app.percent as discount_pct,
    i.tax_rate::app.percent as tax_rate,
    i.discount_amount::app.money as discount_amount,
    i.line_total::app.money as line_total,
    i.tax_amount::app.money as tax_amount,
    i.fulfillment_type,
    i.required_date,
    i.tenant_id
from app.quote_items as i;

create or replace view api.quotes as
select
    q.id,
    q.quote_number,
    q.lead_id,
    q.client_id,
    q.project_type,
    q.title,
    q.status,
    q.valid_from,
    q.valid_until,
    q.currency::text as currency,
    q.notes,
    coalesce(m.subtotal, 0)::app.money as subtotal,
    coalesce(m.discount_total, 0)::app.money as discount_total,
    coalesce(m.tax_total, 0)::app.money as tax_total,
    coalesce(m.total, 0)::app.money as total,
    q.created_by,
    q.sent_at,
    q.reminded_at,
    q.accepted_by,
    q.accepted_at,
    q.rejected_at,
    q.rejection_reason,
    q.expired_at,
    q.created_at,
    q.updated_at,
    q.tenant_id
from app.quotes as q
cross join lateral (  -- noqa: ST05
    select
        (
            select sum(i.line_total + i.discount_amount) from app.quote_items as i
            where i.tenant_id = q.tenant_id and i.quote_id = q.id
        ) as subtotal,
        (
            select sum(i.discount_amount) from app.quote_items as i
            where i.tenant_id = q.tenant_id and i.quote_id = q.id
        ) as discount_total,
        (
            select sum(i.tax_amount) from app.quote_items as i
            where i.tenant_id = q.tenant_id and i.quote_id = q.id
        ) as tax_total,
        (
            select sum(i.line_total + i.tax_amount) from app.quote_items as i
            where i.tenant_id = q.tenant_id and i.quote_id = q.id
        ) as total
) as m;

create or replace view api.order_items as
select
    i.id,
    i.order_id,
    i.sequence,
    i.quote_item_id,
    i.product_id,
    i.description,
    i.quantity::app.quantity as quantity,
    i.unit_price::app.money as unit_price,
    i.discount_pct::app.percent as discount_pct,
    i.tax_rate::app.percent as tax_rate,
    i.discount_amount::app.money as discount_amount,
    i.line_total::app.money as line_total,
    i.tax_amount::app.money as tax_amount,
    i.fulfillment_type,
    i.required_date,
    i.production_notes,
    i.tenant_id
from app.order_items as i;

create or replace view api.orders as
select
    o.id,
    o.order_number,
    o.quote_id,
    o.client_id,
    o.project_type,
    o.status,
    o.po_number,
    o.priority,
    o.promised_date,
    o.currency::text as currency,
    o.notes,
    coalesce(m.subtotal, 0)::app.money as subtotal,
    coalesce(m.discount_total, 0)::app.money as discount_total,
    coalesce(m.tax_total, 0)::app.money as tax_total,
    coalesce(m.total, 0)::app.money as total,
    o.deposit_required,
    f.deposit_received::app.money as deposit_received,
    greatest(o.deposit_required - f.deposit_received, 0)::app.money as deposit_outstanding,
    f.project_id,
    f.project_code,
    o.created_by,
    o.completed_at,
    o.cancelled_at,
    o.created_at,
    o.updated_at,
    to_jsonb(row(f.project_id, f.project_code)::api.project_ref) as project,
    o.tenant_id
from app.orders as o
cross join
    lateral (  -- noqa: ST05
        select
            (
                select sum(i.line_total + i.discount_amount) from app.order_items as i
                where i.tenant_id = o.tenant_id and i.order_id = o.id
            ) as subtotal,
            (
                select sum(i.discount_amount) from app.order_items as i
                where i.tenant_id = o.tenant_id and i.order_id = o.id
            ) as discount_total,
            (
                select sum(i.tax_amount) from app.order_items as i
                where i.tenant_id = o.tenant_id and i.order_id = o.id
            ) as tax_total,
            (
                select sum(i.line_total + i.tax_amount) from app.order_items as i
                where i.tenant_id = o.tenant_id and i.order_id = o.id
            ) as total
    ) as m
inner join internal.order_facts as f on o.tenant_id = f.tenant_id and o.id = f.order_id;

-- Seed 003 §5.1: open orders whose deposit is not received in full.
create or replace view api.outstanding_deposits as
select
    o.id as order_id,
    o.order_number,
    o.client_id,
    o.status,
    o.deposit_required,
    o.deposit_received,
    o.deposit_outstanding as outstanding,
    o.created_at,
    o.tenant_id
from api.orders as o
where o.deposit_outstanding > 0 and o.status not in ('completed', 'cancelled');

create or replace view api.job_tickets as
select
    t.id,
    t.ticket_code,
    t.project_id,
    t.order_id,
    t.stage_id,
    t.qr_payload,
    t.metadata,
    t.generated_at,
    t.printed_at,
    t.last_scanned_at,
    t.last_station,
    t.created_at,
    -- The printable PDF, as the service routes it (a path relative to the API's host).
    '/api/v1/projects/' || t.project_id || '/job-tickets/' || t.id || '.pdf' as pdf_url,
    t.tenant_id
from app.job_tickets as t;

create or replace view api.job_ticket_scans as
select
    s.id,
    s.ticket_id,
    s.station,
    s.stage_id,
    s.scanned_by,
    s.scanned_at,
    s.tenant_id
from app.job_ticket_scans as s;

create or replace view api.inventory_locations as
select
    l.id,
    l.name,
    l.location_type,
    l.archived_at,
    l.created_at,
    l.updated_at,
    l.tenant_id
from app.inventory_locations as l;

create or replace view api.inventory_levels as
select
    l.product_id,
    p.sku,
    p.name as product_name,
    p.uom,
    l.location_id,
    loc.name as location_name,
    l.quantity_on_hand,
    l.reorder_point,
    l.quantity_on_hand < l.reorder_point as below_reorder_point,
    l.updated_at,
    l.tenant_id
from app.inventory_levels as l
inner join app.products as p on l.tenant_id = p.tenant_id and l.product_id = p.id
inner join app.inventory_locations as loc on l.tenant_id = loc.tenant_id and l.location_id = loc.id;

-- The reorder report (seed 003 §5.1): what is below its point, and how much brings it back to it.
create or replace view api.reorder_report as
select
    l.product_id,
    l.sku,
    l.product_name,
    l.uom,
    l.location_id,
    l.location_name,
    l.quantity_on_hand,
    l.reorder_point,
    (l.reorder_point - l.quantity_on_hand)::app.quantity as shortfall,
    l.tenant_id
from api.inventory_levels as l
where l.below_reorder_point;

create or replace view api.stock_movements as
select
    m.id,
    m.product_id,
    m.location_id,
    m.to_location_id,
    m.order_item_id,
    m.movement_type,
    m.quantity,
    m.reference,
    m.note,
    m.created_by,
    m.occurred_at,
    m.created_at,
    m.tenant_id
from app.stock_movements as m;

comment on column api.orders.project is 'The project the order made: {id, project_code}. @shape api.project_ref';
comment on column api.orders.deposit_received is 'Payments applied to the order''s deposit invoices (not void).';
comment on column api.orders.deposit_outstanding is 'What of the deposit required is not received yet.';
comment on column api.job_tickets.pdf_url is 'The printable ticket (PDF).';
comment on column api.reorder_report.shortfall is 'How much brings the level back to its reorder point.';

-- tenant_id: the key the service names in its reads (README, "Reads name their tenant"); never a field.
comment on column api.products.tenant_id is '@internal';
comment on column api.labor_rates.tenant_id is '@internal';
comment on column api.leads.tenant_id is '@internal';
comment on column api.quote_items.tenant_id is '@internal';
comment on column api.quotes.tenant_id is '@internal';
comment on column api.order_items.tenant_id is '@internal';
comment on column api.orders.tenant_id is '@internal';
comment on column api.outstanding_deposits.tenant_id is '@internal';
comment on column api.job_tickets.tenant_id is '@internal';
comment on column api.job_ticket_scans.tenant_id is '@internal';
comment on column api.inventory_locations.tenant_id is '@internal';
comment on column api.inventory_levels.tenant_id is '@internal';
comment on column api.reorder_report.tenant_id is '@internal';
comment on column api.stock_movements.tenant_id is '@internal';
