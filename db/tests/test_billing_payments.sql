-- Payments (seed 003 §8.1 scenario 3): applications never exceed the payment or the balance, the invoice moves to
-- partial and paid, unapplying restores it, a paid deposit releases the waiting stage, Stripe events apply once.
begin;
select plan(25);

select tests.remember('tenant', tests.create_tenant('bil-pay'));
select tests.remember('finance', tests.create_user(tests.get('tenant'), 'finance'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember('client', api.create_client('{"account_code": "PAY1", "name": "Payer", "channel": "trade"}'));
select tests.remember('other', api.create_client('{"account_code": "PAY2", "name": "Other", "channel": "trade"}'));

select tests.authenticate_as(tests.get('finance'));
select tests.remember('invoice', tests.sent_invoice(tests.get('client'), 1000));
select tests.remember('payment', api.record_payment(jsonb_build_object(
    'client_id', tests.get('client'), 'method', 'ach', 'amount', 500
)));
select tests.results_eq(
    format($$select balance_due, status, payment_unapplied from api.apply_payment(%L, jsonb_build_array(
        jsonb_build_object('invoice_id', %L, 'amount', 500)))$$, tests.get('payment'), tests.get('invoice')),
    $$values (500.00::numeric, 'partial'::text, 0.00::numeric)$$,
    'scenario 3: 500 of 1000 applied leaves 500 due and the invoice partial'
);
select throws_ok(
    format(
        $$select * from api.apply_payment(%L, '[{"invoice_id": "%s", "amount": 1}]')$$,
        tests.get('payment'), tests.get('invoice')
    ),
    'PT409', null, 'a payment cannot apply more than it has left'
);
select tests.remember('big', api.record_payment(jsonb_build_object(
    'client_id', tests.get('client'), 'method', 'wire', 'amount', 2000
)));
select throws_ok(
    format(
        $$select * from api.apply_payment(%L, '[{"invoice_id": "%s", "amount": 500.01}]')$$,
        tests.get('big'), tests.get('invoice')
    ),
    'PT409', null, 'an application cannot exceed the invoice''s balance'
);
select throws_ok(
    format(
        $$select * from api.apply_payment(%L, '[{"invoice_id": "%s", "amount": 0}]')$$,
        tests.get('big'), tests.get('invoice')
    ),
    '23514', null, 'an application is more than zero'
);
select is(
    (select status from api.apply_payment(tests.get('big'), jsonb_build_array(
        jsonb_build_object('invoice_id', tests.get('invoice'), 'amount', 500)
    ))),
    'paid', 'the rest of the balance makes it paid'
);
select is(
    (select unapplied_amount::numeric from api.payments where id = tests.get('big')), 1500.00,
    'the payment keeps what was not applied'
);
select tests.remember('draft', api.create_invoice(jsonb_build_object(
    'client_id', tests.get('client'), 'items',
    jsonb_build_array(jsonb_build_object('description', 'x', 'unit_price', 10))
)));
select throws_ok(
    format(
        $$select * from api.apply_payment(%L, '[{"invoice_id": "%s", "amount": 5}]')$$,
        tests.get('big'), tests.get('draft')
    ),
    'PT409', null, 'payments apply to sent invoices, not drafts'
);
select tests.remember('foreign', tests.sent_invoice(tests.get('other'), 100));
select throws_ok(
    format(
        $$select * from api.apply_payment(%L, '[{"invoice_id": "%s", "amount": 5}]')$$,
        tests.get('big'), tests.get('foreign')
    ),
    'PT422', null, 'a payment applies to the paying client''s invoices'
);

-- Unapplying restores the balance and the status.
select lives_ok(
    format(
        $$select api.unapply_payment((select id from api.payment_applications where payment_id = %L))$$,
        tests.get('big')
    ),
    'an application can be taken back'
);
select tests.results_eq(
    format('select balance_due, status from api.invoices where id = %L', tests.get('invoice')),
    $$values (500.00::numeric, 'partial'::text)$$, 'the balance and status are restored'
);
select is(
    (select count(*)::int from api.domain_events where event_type in ('payment.posted', 'payment.applied')) > 0,
    false, 'finance cannot read the outbox (audit:read)'
);

-- A deposit paid releases the stage that waits for it (seed 003 §5.2).
select tests.authenticate_as(tests.get('manager'));
select tests.remember('template', api.create_template('{"name": "Deposit first", "project_type": "deposit_first",
    "stages": [{"stage_code": "prep", "name": "Prep", "sla_hours": 8, "tasks": [{"title": "Plan"}]},
               {"stage_code": "production", "name": "Production", "sla_hours": 24, "requires_deposit": true,
                "tasks": [{"title": "Make"}]}]}'));
select tests.remember('project', api.create_project(jsonb_build_object(
    'name', 'Deposit job', 'template_id', tests.get('template'), 'client_id', tests.get('client')
)));
select tests.remember('deposit', api.create_invoice(jsonb_build_object(
    'client_id', tests.get('client'), 'project_id', tests.get('project'), 'kind', 'deposit',
    'items', jsonb_build_array(jsonb_build_object('description', 'Deposit', 'unit_price', 250))
)));
select api.send_invoice(tests.get('deposit'));
select api.start_stage(tests.get('project'), tests.stage(tests.get('project'), 'prep'));
select api.update_task(tests.task(tests.get('project'), 'Plan'), '{"status": "cancelled"}');
select api.complete_stage(tests.get('project'), tests.stage(tests.get('project'), 'prep'));
select is(
    (select status from api.stages where id = tests.stage(tests.get('project'), 'production')), 'pending',
    'the production stage waits while the deposit is unpaid'
);
select throws_ok(
    format($$select api.start_stage(%L, %L)$$, tests.get('project'), tests.stage(tests.get('project'), 'production')),
    'PT409', null, 'and cannot be started by hand'
);
select tests.remember('deposit_payment', api.record_payment(jsonb_build_object(
    'client_id', tests.get('client'), 'method', 'card', 'amount', 250
)));
select api.apply_payment(tests.get('deposit_payment'), jsonb_build_array(
    jsonb_build_object('invoice_id', tests.get('deposit'), 'amount', 250)
));
select is(
    (select status from api.stages where id = tests.stage(tests.get('project'), 'production')), 'active',
    'paying the deposit releases it'
);

-- Stripe checkouts: a retry before a session is recorded reuses the attempt and its idempotency key.
select tests.authenticate_as(tests.get('finance'));
select tests.remember('online', tests.sent_invoice(tests.get('client'), 300));
select is(
    (select attempt from api.begin_stripe_checkout(tests.get('online')))
    + (select attempt from api.begin_stripe_checkout(tests.get('online'))),
    2, 'a retry with no session recorded reuses attempt 1 (same key)'
);
select api.record_stripe_checkout(tests.get('online'), 1, 'cs_test_1', 'https://checkout.example/1');
select is(
    (select attempt from api.begin_stripe_checkout(tests.get('online'))), 2, 'once a session exists, a new attempt'
);

-- Stripe events (persona: the webhook): applied once, a replay is a no-op, a paid invoice never moves back. Amounts
-- come in the currency's minor units, as Stripe counts them.
select api.begin_stripe_checkout(tests.get('invoice'));
select throws_ok(
    format(
        $$select api.record_stripe_event('evt_0', 'checkout.session.completed', %L, %L, 50000, 'usd', 'pi_0')$$,
        tests.get('tenant'), tests.get('invoice')
    ),
    '42501', null, 'staff cannot record a Stripe event: only the webhook role can'
);
select tests.clear_authentication();
select throws_ok(
    format(
        $$select api.record_stripe_event('evt_0', 'checkout.session.completed', %L, %L, 50000, 'usd', 'pi_0')$$,
        tests.get('tenant'), tests.get('invoice')
    ),
    '42501', null, 'nor can a request with no identity'
);
select tests.as_webhook();
select is(
    api.record_stripe_event(
        'evt_1', 'checkout.session.completed', tests.get('tenant'), tests.get('invoice'), 50000, 'usd', 'pi_1'
    ),
    'applied', 'a completed checkout pays the invoice'
);
select is(
    api.record_stripe_event(
        'evt_1', 'checkout.session.completed', tests.get('tenant'), tests.get('invoice'), 50000, 'usd', 'pi_1'
    ),
    'duplicate', 'the same event again changes nothing'
);
select is(
    api.record_stripe_event(
        'evt_2', 'checkout.session.completed', tests.get('tenant'), tests.get('invoice'), 50000, 'usd', 'pi_2'
    ),
    'already_paid', 'a second payment event for a paid invoice does not move it'
);
select is(
    api.record_stripe_event(
        'evt_4', 'checkout.session.completed', tests.get('tenant'), tests.get('online'), 30000, 'eur', 'pi_4'
    ),
    'ignored', 'money in another currency than the invoice''s is not applied to it'
);
select tests.authenticate_as(tests.get('finance'));
select tests.results_eq(
    $$select amount, unapplied_amount from api.payments where reference = 'pi_2'$$,
    $$values (500.00::numeric, 500.00::numeric)$$,
    'but the money received is recorded, unapplied, for a person to refund'
);
select tests.remember('offline', tests.sent_invoice(tests.get('client'), 20));
select tests.as_webhook();
select is(
    api.record_stripe_event(
        'evt_5', 'checkout.session.completed', tests.get('tenant'), tests.get('offline'), 2000, 'usd', 'pi_5'
    ),
    'ignored', 'an event for an invoice no checkout was started for is not applied'
);
select is(
    api.record_stripe_event(
        'evt_3', 'checkout.session.completed', gen_random_uuid(), tests.get('invoice'), 5, 'usd', 'x'
    ),
    'ignored', 'an event naming an unknown tenant is acknowledged and ignored'
);

select * from finish();
rollback;
