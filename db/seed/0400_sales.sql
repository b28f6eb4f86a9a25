-- Demo sales: products and labor rates, a store with stock near its reorder point, leads, quotes in every state
-- and an accepted quote with its order, project, deposit invoice and job ticket. Through the api as the demo
-- manager; idempotent: rows are known by SKU, name or quote title, and each later step only moves what has not.

select api.create_product(d.product)
from (
    values
    ('{"sku": "BNR-13OZ", "name": "Vinyl banner 13 oz (m2)", "default_price": 18.50, "cost_price": 6.20,
       "tax_rate": 8, "uom": "m2"}'::jsonb),
    ('{"sku": "MESH-9OZ", "name": "Mesh banner 9 oz (m2)", "default_price": 22, "cost_price": 8.10, "tax_rate": 8,
       "uom": "m2"}'::jsonb),
    ('{"sku": "INK-CMYK", "name": "Solvent ink set", "product_type": "material", "default_price": 0,
       "cost_price": 95, "uom": "set"}'::jsonb),
    ('{"sku": "GROMMET-12", "name": "Brass grommets 12 mm", "product_type": "material", "default_price": 0.40,
       "cost_price": 0.08, "uom": "each"}'::jsonb),
    ('{"sku": "DESIGN-HR", "name": "Design hour", "product_type": "service", "default_price": 85, "cost_price": 0,
       "uom": "hour", "track_inventory": false}'::jsonb)
) as d (product)
where not exists (select from api.products as p where p.sku = d.product ->> 'sku');

-- Seed 003 §6.4: what an hour costs by role (fixed dates, so a second run changes nothing).
select api.set_labor_rate(jsonb_build_object('role', d.role, 'hourly_rate', d.rate, 'effective_from', '2024-01-01'))
from (values ('designer', 42), ('production', 30), ('qc', 34), ('sales', 38)) as d (role, rate)
where not exists (
    select
    from api.labor_rates as r
    where r.role = d.role and r.effective_from = '2024-01-01' and r.hourly_rate = d.rate
);

select api.create_inventory_location(d.location)
from (values ('{"name": "Main store"}'::jsonb), ('{"name": "Print room", "location_type": "shop_floor"}'))
    as d (location)
where not exists (select from api.inventory_locations as l where l.name = d.location ->> 'name');

-- Stock: received once, then consumed to just above (grommets) and just below (ink) the reorder point.
select api.set_reorder_point(p.id, l.id, d.reorder_point)
from (values ('INK-CMYK', 4), ('GROMMET-12', 500), ('BNR-13OZ', 100)) as d (sku, reorder_point)
inner join api.products as p on d.sku = p.sku
cross join api.inventory_locations as l
where
    l.name = 'Main store'
    and not exists (select from api.inventory_levels as v where v.product_id = p.id and v.location_id = l.id);
select
    api.record_stock_movement(jsonb_build_object(
        'product_id', p.id, 'location_id', l.id, 'movement_type', m.movement_type, 'quantity', m.quantity,
        'reference', m.reference
    ))
from (
    values
    (1, 'INK-CMYK', 'receive', 10, 'PO-INK-1'), (2, 'INK-CMYK', 'consume', 7, 'Job run'),
    (3, 'GROMMET-12', 'receive', 1000, 'PO-GR-7'), (4, 'GROMMET-12', 'consume', 460, 'Job run'),
    (5, 'BNR-13OZ', 'receive', 400, 'PO-VIN-3'), (6, 'BNR-13OZ', 'consume', 120, 'Job run')
) as m (step, sku, movement_type, quantity, reference)
inner join api.products as p on m.sku = p.sku
cross join api.inventory_locations as l
where
    l.name = 'Main store'
    and not exists (select from api.stock_movements as s where s.product_id = p.id)
order by m.step;

select
    api.create_lead(jsonb_build_object(
        'name', d.name, 'source', d.source, 'status', d.status, 'client_id', c.id, 'contact_name', d.contact,
        'estimated_value', d.value
    ))
from (
    values
    ('Trade show refresh', 'referral', 'qualified', 'ACME', 'Ana Ortiz', 2400),
    ('New cafe signage', 'web', 'proposal', 'ECHO', 'Gus Lind', 3800),
    ('Gym window graphics', 'walk_in', 'new', null, 'Hana Sato', 900),
    ('Festival wayfinding', 'tender', 'closed_lost', 'CITYHALL', 'Dev Patel', 12000)
) as d (name, source, status, account_code, contact, value)
left join api.clients as c on d.account_code = c.account_code
where not exists (select from api.leads as l where l.name = d.name);

-- Quotes, one per state, known by title.
select
    api.create_quote(jsonb_build_object(
        'client_id', c.id, 'project_type', 'banner', 'title', d.title, 'valid_until', current_date + d.valid_days,
        'items', d.items
    ))
from (
    values
    ('ACME', 'Trade show flags', 30, '[{"description": "Feather flags 3 m", "quantity": 6, "unit_price": 140,
        "tax_rate": 8}, {"description": "Design time", "quantity": 3, "unit_price": 85}]'::jsonb),
    ('ECHO', 'Cafe opening banners', 30, '[{"description": "Vinyl banner 3 x 1 m", "quantity": 4,
        "unit_price": 55.5, "discount_pct": 10, "tax_rate": 8}]'::jsonb),
    ('BLOOM', 'Mother''s Day window', 2, '[{"description": "Window vinyl", "quantity": 8, "unit_price": 45,
        "tax_rate": 8}]'::jsonb),
    ('FOXTROT', 'Gym hoarding', 30, '[{"description": "Mesh banner 6 x 2 m", "quantity": 2, "unit_price": 310,
        "tax_rate": 8}]'::jsonb),
    ('CITYHALL', 'Festival signs', 0, '[{"description": "Correx signs", "quantity": 40, "unit_price": 18}]'::jsonb),
    ('DELTA-EV', 'Gala backdrop', 30, '[{"description": "Fabric backdrop 4 x 2.5 m", "quantity": 1,
        "unit_price": 780, "tax_rate": 8}]'::jsonb)
) as d (account_code, title, valid_days, items)
inner join api.clients as c on d.account_code = c.account_code
where not exists (select from api.quotes as q where q.title = d.title);

-- "Gala backdrop" stays a draft; the others are sent.
select api.send_quote(q.id)
from api.quotes as q
where
    q.status = 'draft' and q.title in (
        'Trade show flags', 'Cafe opening banners', 'Mother''s Day window', 'Gym hoarding', 'Festival signs'
    )
order by q.quote_number;

select api.reject_quote(q.id, 'Went with a cheaper mesh supplier')
from api.quotes as q
where q.status = 'sent' and q.title = 'Gym hoarding';

-- Acme accepts with a PO: the order, its project (stage 1 active), the sent deposit invoice and the job ticket.
select o.order_number
from api.quotes as q
cross join
    lateral api.create_order(jsonb_build_object(
        'quote_id', q.id, 'po_number', 'PO-ACME-2291', 'priority', 'rush', 'promised_date', current_date + 10
    )) as o
where q.status = 'sent' and q.title = 'Trade show flags';

select s.ticket_code
from api.job_tickets as t
inner join api.orders as o on t.order_id = o.id
cross join lateral api.scan_job_ticket(t.ticket_code, 'prepress') as s
where o.po_number = 'PO-ACME-2291' and t.last_scanned_at is null;

-- Time passes for "Festival signs" (valid until today): as the worker would tomorrow, the sweep expires it. Moving a
-- quote's dates back is no rule's business, so this step leaves the service's login (the superuser does it with
-- triggers off), then runs the sweep as the worker does and comes back as the demo manager.
select set_config('seed.tenant_id', current_setting('pgpsa.tenant_id'), true);
select set_config('seed.user_id', current_setting('pgpsa.user_id'), true);
reset session authorization;
select set_config('session_replication_role', 'replica', true)
where exists (select from app.quotes as q where q.title = 'Festival signs' and q.status = 'sent');
update app.quotes set
    valid_from = valid_from - 31, valid_until = valid_until - 1, sent_at = sent_at - interval '31 days'
where
    tenant_id = current_setting('seed.tenant_id')::uuid and title = 'Festival signs' and status = 'sent'
    and valid_until >= current_date;
select set_config('session_replication_role', 'origin', true);
set local session authorization pgpsa_service;
set local role pgpsa_worker;
select api.quote_expiry_sweep();
set local role pgpsa_staff;
