-- Quotes: line money (discount, tax) and totals by the database, product defaults, the lifecycle
-- draft -> sent -> accepted | rejected | expired, only drafts edited, and who may write quotes.
begin;
select plan(21);

select tests.remember('tenant', tests.create_tenant('sal-quotes'));
select tests.remember('sales', tests.create_user(tests.get('tenant'), 'sales'));
select tests.remember('designer', tests.create_user(tests.get('tenant'), 'designer'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember('client', api.create_client('{"account_code": "Q1", "name": "Quoted", "channel": "trade"}'));
select tests.remember('product', api.create_product(
    '{"sku": "BNR-3X1", "name": "Banner 3 x 1 m", "default_price": 49.99, "tax_rate": 7.5}'
));

select tests.authenticate_as(tests.get('sales'));
select tests.remember('quote', api.create_quote(jsonb_build_object(
    'client_id', tests.get('client'), 'project_type', 'banner', 'items', jsonb_build_array(
        jsonb_build_object(
            'description', 'Banner', 'quantity', 3, 'unit_price', 33.33, 'discount_pct', 12.5, 'tax_rate', 8.25
        ),
        jsonb_build_object('product_id', tests.get('product'), 'quantity', 2)
    )
)));
select tests.results_eq(
    format($$select line_total, discount_amount, tax_amount from api.quote_items where quote_id = %L
        order by sequence$$, tests.get('quote')),
    $$values (87.49::numeric, 12.50::numeric, 7.22::numeric), (99.98, 0.00, 7.50)$$,
    'line money: gross rounded, discount on gross, tax on the rest (a total is no field of a line: test_sales_shapes)'
);
select tests.results_eq(
    format($$select subtotal, discount_total, tax_total, total from api.quotes where id = %L$$, tests.get('quote')),
    $$values (199.97::numeric, 12.50::numeric, 14.72::numeric, 202.19::numeric)$$,
    'quote totals are sums of the rounded lines'
);
select is(
    (
        select description || ' @ ' || unit_price
        from api.quote_items
        where quote_id = tests.get('quote') and sequence = 2
    ),
    'Banner 3 x 1 m @ 49.99', 'a line naming a product takes its name, price and tax rate'
);
select matches(
    (select quote_number from api.quotes where id = tests.get('quote')), '^Q-[0-9]{6}$', 'a quote gets a Q- number'
);
select throws_ok(
    format(
        $$select api.update_quote(%L, '{"valid_from": "2030-02-01", "valid_until": "2030-01-01"}')$$,
        tests.get('quote')
    ),
    '23514', null, 'valid_until cannot be before valid_from'
);
select throws_ok(
    format(
        $$select api.add_quote_item(%L, '{"description": "x", "unit_price": 1, "discount_pct": 101}')$$,
        tests.get('quote')
    ),
    '23514', null, 'a discount is at most 100%'
);
select lives_ok(
    format($$select api.update_quote(%L, '{"notes": "Rush if possible"}')$$, tests.get('quote')),
    'a draft is edited'
);

-- Sending.
select tests.remember('empty', api.create_quote(jsonb_build_object(
    'client_id', tests.get('client'), 'project_type', 'banner'
)));
select throws_ok(
    format('select api.send_quote(%L)', tests.get('empty')), 'PT422', null, 'a quote without items is not sent'
);
select lives_ok(format('select api.send_quote(%L)', tests.get('quote')), 'a draft with items is sent');
select isnt((select sent_at from api.quotes where id = tests.get('quote')), null, 'sending stamps sent_at');
select throws_ok(
    format($$select api.update_quote(%L, '{"notes": "changed"}')$$, tests.get('quote')),
    'PT409', null, 'a sent quote is not edited'
);
select tests.as_owner(tests.get('tenant'));
select throws_ok(
    format(
        'update app.quote_items set quote_id = %L where quote_id = %L', tests.get('empty'), tests.get('quote')
    ),
    'PT409', null, 'a sent quote''s items cannot be moved onto a draft, as the owner role either'
);
select tests.authenticate_as(tests.get('sales'));
select throws_ok(
    format($$select api.add_quote_item(%L, '{"description": "extra", "unit_price": 5}')$$, tests.get('quote')),
    'PT409', null, 'a sent quote gets no new items'
);
select throws_ok(
    format('select api.delete_quote(%L)', tests.get('quote')), 'PT409', null, 'a sent quote is not deleted'
);
select throws_ok(
    format('select api.send_quote(%L)', tests.get('quote')), 'PT409', null, 'a sent quote is not sent again'
);

-- Rejecting, and what cannot happen after.
select lives_ok(format($$select api.reject_quote(%L, 'Too dear')$$, tests.get('quote')), 'a sent quote is rejected');
select throws_ok(
    format('select * from api.accept_quote(%L)', tests.get('quote')), 'PT409', null, 'a rejected quote is not accepted'
);
select lives_ok(format('select api.delete_quote(%L)', tests.get('empty')), 'a draft is deleted');

-- Who: designers neither read nor write quotes; staff cannot write a status by hand.
select tests.authenticate_as(tests.get('designer'));
select is((select count(*) from api.quotes)::int, 0, 'a designer sees no quotes');
select throws_ok(
    format($$select api.create_quote('{"client_id": "%s", "project_type": "banner"}')$$, tests.get('client')),
    'PT403', null, 'a designer cannot make a quote'
);
select tests.authenticate_as(tests.get('sales'));
select throws_ok(
    format($$update app.quotes set status = 'accepted' where id = %L$$, tests.get('quote')),
    '42501', null, 'staff cannot set a quote''s status by hand'
);

select * from finish();
rollback;
