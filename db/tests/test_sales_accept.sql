-- Quote acceptance (seed 003 §3.1, §8.1 scenario 1) in one transaction: accepted with actor and time, the order
-- with its items, the project from the type's template with stage 1 active, the sent deposit invoice from the
-- tenant's rule, the job ticket and the order.confirmed event; refusals write nothing. Manual orders too.
begin;
select plan(24);

select tests.remember('tenant', tests.create_tenant('sal-accept'));
select tests.remember('sales', tests.create_user(tests.get('tenant'), 'sales'));
select tests.remember('designer', tests.create_user(tests.get('tenant'), 'designer'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember('client', api.create_client('{"account_code": "ACC1", "name": "Acme", "channel": "trade"}'));
select tests.remember('template', tests.sales_template());
select tests.authenticate_as(tests.get('sales'));
select tests.remember('quote', tests.sales_quote(tests.get('client')));

-- Sales records the customer's acceptance; everything else follows from the rule.
select tests.remember('order', (select order_id from api.accept_quote(tests.get('quote'))));
select tests.authenticate_as(tests.get('manager'));
select tests.results_eq(
    format($$select status, accepted_by from api.quotes where id = %L$$, tests.get('quote')),
    format($$values ('accepted'::text, %L::uuid)$$, tests.get('sales')),
    'the quote is accepted by the person who recorded it'
);
select isnt((select accepted_at from api.quotes where id = tests.get('quote')), null, 'with the time');
select tests.results_eq(
    format($$select order_number ~ '^SO-\d{6}$', status, total, deposit_required, deposit_received
        from api.orders where id = %L$$, tests.get('order')),
    $$values (true, 'pending'::text, 972.00::numeric, 486.00::numeric, 0::numeric)$$,
    'the order: SO- number, pending, the quote''s total, a 50% deposit required and nothing received'
);
select tests.results_eq(
    format($$select description, quantity, unit_price, discount_pct, line_total, tax_amount from api.order_items
        where order_id = %L$$, tests.get('order')),
    $$values ('Vinyl banner'::text, 10.00::numeric, 100.00::numeric, 10.00::numeric, 900.00::numeric, 72.00::numeric)$$,
    'the order''s items are copied from the quote'
);
select tests.remember('project', (select project_id from api.orders where id = tests.get('order')));
select tests.results_eq(
    format($$select template_id, client_id, status from api.projects where id = %L$$, tests.get('project')),
    format($$values (%L::uuid, %L::uuid, 'active'::text)$$, tests.get('template'), tests.get('client')),
    'the project comes from the template of the order''s type, for the client, and is active'
);
select tests.results_eq(
    format(
        $$select sequence, status, due_at is not null from api.stages where project_id = %L order by sequence$$,
        tests.get('project')
    ),
    $$values (1::smallint, 'active'::text, true), (2::smallint, 'pending'::text, false)$$,
    'stage 1 is active with due_at; the next waits'
);
select tests.results_eq(
    format(
        $$select kind, status, total, order_id, invoice_number ~ '^INV-' from api.invoices where project_id = %L$$,
        tests.get('project')
    ),
    format($$values ('deposit'::text, 'sent'::text, 486.00::numeric, %L::uuid, true)$$, tests.get('order')),
    'a deposit invoice for the order and project is sent'
);
select tests.results_eq(
    format($$select ticket_code ~ '^JOB-\d{6}$' as coded, qr_payload, metadata ->> 'order_number' as order_number,
        metadata ->> 'customer' as customer
        from api.job_tickets where project_id = %L$$, tests.get('project')),
    format($$select true as coded, 'PRJ:' || p.project_code as qr, o.order_number, 'Acme' as customer
        from api.projects as p, api.orders as o
        where p.id = %L and o.id = %L$$, tests.get('project'), tests.get('order')),
    'a job ticket with a JOB- code, the QR payload PRJ:<project_code>, order number and customer'
);
select is(
    tests.events('order.confirmed', tests.get('order')),
    1, 'order.confirmed is recorded'
);

-- Refusals, with nothing written.
select tests.authenticate_as(tests.get('sales'));
select throws_ok(
    format('select * from api.accept_quote(%L)', tests.get('quote')), 'PT409', null, 'a second acceptance is refused'
);
select tests.remember('draft', tests.sales_quote(tests.get('client'), false));
select throws_ok(
    format('select * from api.accept_quote(%L)', tests.get('draft')), 'PT409', null, 'a draft cannot be accepted'
);
select tests.remember('late', tests.sales_quote(tests.get('client')));
-- Time passes (triggers off: the quote is sent, so nobody may edit it).
select tests.as_superuser();
select tests.set('session_replication_role', 'replica');
update app.quotes set valid_from = current_date - 40, valid_until = current_date - 1
where id = tests.get('late');
select tests.set('session_replication_role', 'origin');
select tests.authenticate_as(tests.get('sales'));
select throws_ok(
    format('select * from api.accept_quote(%L)', tests.get('late')), 'PT409', null,
    'a quote past valid_until cannot be accepted'
);
select tests.authenticate_as(tests.get('manager'));
select is((select count(*) from api.orders)::int, 1, 'the refusals wrote no order');
select is((select count(*) from api.projects)::int, 1, 'nor a project');
select is((select count(*) from api.invoices)::int, 1, 'nor an invoice');
select tests.remember('nobanner', api.create_quote(jsonb_build_object(
    'client_id', tests.get('client'), 'project_type', 'mural',
    'items', '[{"description": "Wall", "unit_price": 500}]'::jsonb
)));
select api.send_quote(tests.get('nobanner')) is not null;
select throws_ok(
    format('select * from api.accept_quote(%L)', tests.get('nobanner')), 'PT422',
    'There is no active template for project type mural.', 'a type with no template is refused, nothing written'
);
select is((select status from api.quotes where id = tests.get('nobanner')), 'sent', 'and the quote stays sent');
select tests.authenticate_as(tests.get('designer'));
select throws_ok(
    format('select * from api.accept_quote(%L)', tests.get('nobanner')), 'PT403', null,
    'a designer cannot accept a quote'
);

-- A manual order, with the tenant's deposit rule at 30%.
select tests.authenticate_as(tests.get('manager'));
select api.update_sales_settings('{"deposit_percent": 30}') is not null;
select tests.remember('manual', (select order_id from api.create_order(jsonb_build_object(
    'client_id', tests.get('client'), 'project_type', 'banner', 'po_number', 'PO-77', 'priority', 'rush',
    'items', '[{"description": "Flag", "quantity": 4, "unit_price": 25}]'::jsonb
))));
select tests.results_eq(
    format($$select po_number, priority, total, deposit_required, project_id is not null from api.orders
        where id = %L$$, tests.get('manual')),
    $$values ('PO-77'::text, 'urgent'::text, 100.00::numeric, 30.00::numeric, true)$$,
    'a manual order gets its project and the tenant''s deposit rule (seed 003''s "rush" is the vocabulary''s urgent)'
);
select throws_ok(
    $$select * from api.create_order('{"client_id": null, "project_type": "banner", "items": []}')$$, 'PT422', null,
    'an order needs items'
);

-- Status transitions.
select lives_ok(
    format(
        $$select api.update_order(%L, '{"status": "in_production", "promised_date": "2031-01-10"}')$$,
        tests.get('manual')
    ),
    'pending -> in_production, with a promised date'
);
select throws_ok(
    format($$select api.update_order(%L, '{"status": "completed"}')$$, tests.get('manual')), 'PT409', null,
    'in_production -> completed skips ready: refused'
);

-- The deposit: received is derived from what is applied to the deposit invoice.
select tests.results_eq(
    format(
        $$select applied from api.record_order_deposit(%L, '{"amount": 500, "method": "card", "reference": "pi_1"}')$$,
        tests.get('order')
    ),
    $$values (486.00::numeric)$$,
    'a deposit payment applies up to the deposit invoice''s balance'
);
select tests.results_eq(
    format($$select deposit_received, deposit_outstanding from api.orders where id = %L$$, tests.get('order')),
    $$values (486.00::numeric, 0::numeric)$$,
    'deposit_received follows the applications'
);

select * from finish();
rollback;
