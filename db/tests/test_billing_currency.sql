-- Money in every currency: currencies are ISO 4217 codes the database knows, with their minor units; contract
-- billing invoices in the contract's currency (one currency an invoice); what Stripe is asked for counts the
-- currency's own minor units; an invoice is sent only when what it asks is payable in its currency.
begin;
select plan(11);

select tests.remember('tenant', tests.create_tenant('bil-cur'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember(
    'client', api.create_client('{"account_code": "EU1", "name": "Euro Client", "channel": "trade"}')
);

-- A currency is a code the database knows.
select throws_ok(
    format(
        $$select api.create_contract(jsonb_build_object('name', 'Odd', 'owner_client_id', %L, 'currency', 'e$1'))$$,
        tests.get('client')
    ),
    '23514', null, 'a currency that is not three capital letters is refused'
);
select throws_ok(
    format(
        $$select api.create_contract(jsonb_build_object('name', 'Odd', 'owner_client_id', %L, 'currency', 'XYZ'))$$,
        tests.get('client')
    ),
    '23503', null, 'and so is a code that is not an ISO 4217 currency'
);
select is(
    api.constraint_message('app', 'contracts', 'fk_contracts_currency_currencies'),
    'The currency is not an ISO 4217 currency this system knows (for example USD, EUR, GBP, JPY).', 'in words'
);

-- Contract billing invoices in the contract's currency.
select tests.remember('euro', api.create_contract(jsonb_build_object(
    'name', 'Euro care', 'owner_client_id', tests.get('client'), 'currency', 'EUR',
    'lines', jsonb_build_array(jsonb_build_object('name', 'Care', 'line_type', 'fixed', 'amount', 100))
)));
select api.activate_client_contract(api.assign_contract(tests.get('euro'), jsonb_build_object(
    'client_id', tests.get('client'), 'start_date', '2026-01-01'
)));
select tests.remember('eur_invoice', api.bill_client_contracts(tests.get('client'), '2026-01-01', '2026-01-31'));
select tests.results_eq(
    format('select currency, total from api.invoices where id = %L', tests.get('eur_invoice')),
    $$values ('EUR'::text, 100.00::numeric)$$, 'a contract in EUR is billed on an invoice in EUR'
);
select tests.remember('dollar', api.create_contract(jsonb_build_object(
    'name', 'Dollar care', 'owner_client_id', tests.get('client'), 'currency', 'USD',
    'lines', jsonb_build_array(jsonb_build_object('name', 'Care', 'line_type', 'fixed', 'amount', 80))
)));
select api.activate_client_contract(api.assign_contract(tests.get('dollar'), jsonb_build_object(
    'client_id', tests.get('client'), 'start_date', '2026-01-01'
)));
select throws_ok(
    format($$select api.bill_client_contracts(%L, '2026-02-01', '2026-02-28')$$, tests.get('client')),
    'PT409', 'This client''s contracts due for the period are in EUR and USD; an invoice has one currency.',
    'contracts due in two currencies are not put on one invoice'
);
select tests.remember(
    'usd_invoice', api.bill_client_contracts(tests.get('client'), '2026-02-01', '2026-02-28', '{"currency": "usd"}')
);
select tests.results_eq(
    format('select currency, total from api.invoices where id = %L', tests.get('usd_invoice')),
    $$values ('USD'::text, 80.00::numeric)$$, 'they are billed one currency at a time'
);

-- Stripe counts minor units: cents for USD, yen for JPY (which has none), fils for KWD (three).
select tests.remember('usd', tests.sent_invoice(tests.get('client'), 12.34));
select is(
    (select amount_due_minor from api.begin_stripe_checkout(tests.get('usd'))), 1234::bigint, '12.34 USD is 1234'
);
select tests.remember('jpy', api.create_invoice(jsonb_build_object(
    'client_id', tests.get('client'), 'currency', 'JPY',
    'items', jsonb_build_array(jsonb_build_object('description', 'Prints', 'quantity', 3, 'unit_price', 1500))
)));
select api.send_invoice(tests.get('jpy'));
select is(
    (select amount_due_minor from api.begin_stripe_checkout(tests.get('jpy'))), 4500::bigint,
    '4500 JPY is 4500, not 450000'
);
select tests.remember('kwd', api.create_invoice(jsonb_build_object(
    'client_id', tests.get('client'), 'currency', 'KWD',
    'items', jsonb_build_array(jsonb_build_object('description', 'Prints', 'quantity', 1, 'unit_price', 12.5))
)));
select api.send_invoice(tests.get('kwd'));
select is(
    (select amount_due_minor from api.begin_stripe_checkout(tests.get('kwd'))), 12500::bigint, '12.500 KWD is 12500'
);
select tests.remember('odd_yen', api.create_invoice(jsonb_build_object(
    'client_id', tests.get('client'),
    'currency', 'JPY', 'items', jsonb_build_array(jsonb_build_object(
        'description', 'Half a print', 'quantity', 0.5, 'unit_price', 1001
    ))
)));
select throws_ok(
    format('select api.send_invoice(%L)', tests.get('odd_yen')),
    'PT422', 'This invoice comes to 500.50 JPY, which is not payable in JPY (0 decimal places).',
    'an invoice that asks for a fraction of a yen is not sent'
);
select is(
    (select status from api.invoices where id = tests.get('odd_yen')), 'draft', 'and stays a draft to correct'
);

select * from finish();
rollback;
