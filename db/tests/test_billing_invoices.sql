-- Invoices: money computed by the database (half-up per line), numbers on sending, posting guards for every writer
-- (the owner included), explicit voiding only without payments.
begin;
select plan(22);

select tests.remember('tenant', tests.create_tenant('bil-inv'));
select tests.remember('finance', tests.create_user(tests.get('tenant'), 'finance'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.remember('designer', tests.create_user(tests.get('tenant'), 'designer'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember('client', api.create_client('{"account_code": "INV1", "name": "Payer", "channel": "trade"}'));

select tests.authenticate_as(tests.get('finance'));
select tests.remember('draft', api.create_invoice(jsonb_build_object(
    'client_id', tests.get('client'), 'items',
    jsonb_build_array(
        jsonb_build_object('description', 'Banners', 'quantity', 3, 'unit_price', 33.33, 'tax_rate', 7.5),
        jsonb_build_object('description', 'Eyelets', 'quantity', 0.5, 'unit_price', 0.05, 'tax_rate', 0)
    )
)));
select tests.results_eq(
    format(
        'select subtotal, tax_total, total, balance_due, status from api.invoices where id = %L', tests.get('draft')
    ),
    $$values (100.02::numeric, 7.50::numeric, 107.52::numeric, 107.52::numeric, 'draft'::text)$$,
    'totals are sums of lines rounded half-up to cents (99.99 + 0.03; tax 7.50 on 99.99)'
);
select is(
    (select invoice_number from api.invoices where id = tests.get('draft')), null, 'a draft has no number yet'
);
select lives_ok(
    format($$select api.update_invoice(%L, '{"notes": "Thanks", "due_date": "2030-01-31"}')$$, tests.get('draft')),
    'a draft is edited freely'
);

-- Sending.
select api.send_invoice(tests.get('draft'));
select matches(
    (select invoice_number from api.invoices where id = tests.get('draft')), '^INV-\d{6}$',
    'sending gives the next per-tenant number'
);
select throws_ok(
    format($$select api.update_invoice(%L, '{"notes": "changed"}')$$, tests.get('draft')),
    'PT409', null, 'a sent invoice cannot be edited'
);
select throws_ok(
    format(
        $$select api.update_invoice(%L, jsonb_build_object('lines', jsonb_build_array(jsonb_build_object(
        'id', (select id from api.invoice_lines where invoice_id = %1$L limit 1), 'description', 'Other'))))$$,
        tests.get('draft')
    ),
    'PT409', null, 'nor its lines'
);
select throws_ok(
    format($$select api.add_invoice_line(%L, '{"description": "Extra", "unit_price": 5}')$$, tests.get('draft')),
    'PT409', null, 'nor can lines be added'
);
select throws_ok(
    format($$select api.delete_invoice(%L)$$, tests.get('draft')), 'PT409', null, 'a sent invoice cannot be deleted'
);
select throws_ok(
    format($$update app.invoices set status = 'paid' where id = %L$$, tests.get('draft')),
    '42501', null, 'staff cannot write an invoice (or any table) directly'
);
select tests.remember('empty', api.create_invoice(jsonb_build_object('client_id', tests.get('client'))));
select throws_ok(
    format($$select api.send_invoice(%L)$$, tests.get('empty')), 'PT422', null, 'an invoice without lines is not sent'
);
select throws_ok(
    format($$select api.void_invoice(%L, 'typo')$$, tests.get('empty')), 'PT409', null, 'a draft is deleted, not voided'
);
select lives_ok(format($$select api.delete_invoice(%L)$$, tests.get('empty')), 'a draft can be deleted');

-- Voiding.
select tests.remember('to_void', tests.sent_invoice(tests.get('client'), 50));
select lives_ok(
    format($$select api.void_invoice(%L, 'Sent to the wrong client')$$, tests.get('to_void')),
    'a sent invoice without payments can be voided'
);
select tests.remember('paid', tests.sent_invoice(tests.get('client'), 80));
select tests.remember('payment', api.record_payment(jsonb_build_object(
    'client_id', tests.get('client'), 'method', 'check', 'amount', 80
)));
select api.apply_payment(tests.get('payment'), jsonb_build_array(
    jsonb_build_object('invoice_id', tests.get('paid'), 'amount', 80)
));
select throws_ok(
    format($$select api.void_invoice(%L, 'no')$$, tests.get('paid')),
    'PT409', null, 'an invoice with payments applied cannot be voided'
);

-- A new draft, to try to move a sent invoice's line onto.
select tests.remember('other_draft', api.create_invoice(jsonb_build_object(
    'client_id', tests.get('client'), 'items',
    jsonb_build_array(jsonb_build_object('description', 'Other', 'quantity', 1, 'unit_price', 1))
)));

-- The owner role, with the tenant set, cannot delete or change a paid invoice either.
select tests.as_owner(tests.get('tenant'));
select throws_ok(
    format(
        'update app.invoice_lines set invoice_id = %L where invoice_id = %L', tests.get('other_draft'),
        tests.get('draft')
    ),
    'PT409', null, 'a sent invoice''s line cannot be moved onto a draft, as the owner role either'
);
select throws_ok(
    format($$update app.invoice_lines set description = 'Other' where invoice_id = %L$$, tests.get('draft')),
    'PT409', null, 'a sent invoice''s lines refuse changes as the owner role too'
);
select throws_ok(
    format('delete from app.invoices where id = %L', tests.get('paid')),
    'PT409', null, 'DELETE of a paid invoice as the owner role is refused'
);
select throws_ok(
    format('update app.invoice_lines set unit_price = 1 where invoice_id = %L', tests.get('paid')),
    'PT409', null, 'changing a paid invoice''s amounts as the owner role is refused'
);
select throws_ok(
    format($$update app.invoices set status = 'paid' where id = %L$$, tests.get('draft')),
    'PT409', null, 'even the owner cannot set a status the payments do not say'
);
select tests.as_superuser();

-- Permissions.
select tests.authenticate_as(tests.get('designer'));
select is((select count(*)::int from api.invoices), 0, 'a designer sees no invoices');
select throws_ok(
    format('select internal.send_invoice(%L)', tests.get('to_void')),
    '42501', null, 'nobody on staff calls the owner-run core of sending directly: only its checked door'
);
select throws_ok(
    format($$select api.create_invoice('{"client_id": "%s"}')$$, tests.get('client')),
    'PT403', 'You need the invoices:write permission to do this.', 'nor creates one'
);

select * from finish();
rollback;
