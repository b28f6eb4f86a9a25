-- Demo billing: an invoice in each state a person meets (draft, sent, partly paid, paid), for the demo clients,
-- written through the api as the demo manager. Idempotent: an invoice is known by its notes; each later step
-- (sending, paying) only moves what has not moved yet, so a second run changes nothing.

select
    api.create_invoice(jsonb_build_object(
        'client_id', c.id,
        'notes', d.notes,
        'issue_date', current_date - d.age_days,
        'due_date', current_date - d.age_days + 30,
        'items', d.items
    ))
from (
    values
    (
        'BLOOM', 'Spring window graphics', 0,
        '[{"description": "Window vinyl, cut and weeded", "quantity": 6, "unit_price": 45, "tax_rate": 8},
          {"description": "Installation", "quantity": 2, "unit_price": 65}]'::jsonb
    ),
    (
        'ECHO', 'Menu boards, second location', 5,
        '[{"description": "Menu board panels", "quantity": 3, "unit_price": 180, "tax_rate": 8},
          {"description": "Design time", "quantity": 4.5, "unit_price": 85}]'::jsonb
    ),
    (
        'ACME', 'Trade show banners', 20,
        '[{"description": "Printed banners 3 x 1 m", "quantity": 10, "unit_price": 100}]'::jsonb
    ),
    (
        'CITYHALL', 'Wayfinding signs, phase 1', 45,
        '[{"description": "Aluminium wayfinding signs", "quantity": 12, "unit_price": 150, "tax_rate": 0},
          {"description": "Site survey", "quantity": 1, "unit_price": 300}]'::jsonb
    )
) as d (account_code, notes, age_days, items)
inner join api.clients as c on d.account_code = c.account_code and c.archived_at is null
where not exists (select from api.invoices as i where i.notes = d.notes);

-- All but the draft are sent (numbers in this order).
select api.send_invoice(i.id)
from api.invoices as i
where
    i.status = 'draft'
    and i.notes in ('Menu boards, second location', 'Trade show banners', 'Wayfinding signs, phase 1')
order by i.issue_date, i.notes;

-- Acme paid half by check; the city paid in full by wire.
with owed as (
    select
        i.id,
        i.client_id,
        d.method,
        d.reference,
        round(i.total * d.share, 2) as amount
    from api.invoices as i
    inner join (
        values
        ('Trade show banners', 'check', 'CHK-1042', 0.5),
        ('Wayfinding signs, phase 1', 'wire', 'WIRE-77310', 1.0)
    ) as d (notes, method, reference, share) on i.notes = d.notes
    where i.status = 'sent' and i.amount_paid = 0
),

received as (
    select
        o.id as invoice_id,
        o.amount,
        api.record_payment(jsonb_build_object(
            'client_id', o.client_id, 'method', o.method, 'reference', o.reference, 'amount', o.amount,
            'received_at', now() - interval '3 days'
        )) as payment_id
    from owed as o
)

select a.status
from received as r
cross join lateral api.apply_payment(
    r.payment_id, jsonb_build_array(jsonb_build_object('invoice_id', r.invoice_id, 'amount', r.amount))
) as a;
