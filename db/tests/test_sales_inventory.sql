-- Inventory (seed 003 §5.2): movements adjust levels in the same transaction (receive, consume, adjust, transfer);
-- no level below zero unless the tenant allows it; stock.low once per crossing of the reorder point; the reorder
-- report; an append-only ledger; who may move stock.
begin;
select plan(18);

select tests.remember('tenant', tests.create_tenant('sal-stock'));
select tests.remember('production', tests.create_user(tests.get('tenant'), 'production'));
select tests.remember('sales', tests.create_user(tests.get('tenant'), 'sales'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.authenticate_as(tests.get('manager'));
select
    tests.remember(
        'ink', api.create_product('{"sku": "INK-C", "name": "Cyan ink", "product_type": "material", "uom": "l"}')
    );
select tests.remember('design', api.create_product('{"sku": "DES-H", "name": "Design hour", "product_type": "service",
    "track_inventory": false}'));
select tests.remember('store', api.create_inventory_location('{"name": "Store"}'));
select tests.remember('floor', api.create_inventory_location('{"name": "Press room", "location_type": "shop_floor"}'));
select api.set_reorder_point(tests.get('ink'), tests.get('store'), 10) is not null;

select tests.authenticate_as(tests.get('production'));
select tests.set('tests.move', format(
    $$select api.record_stock_movement(jsonb_build_object('product_id', %L, 'location_id', %L,
        'movement_type', '%%s', 'quantity', %%s %%s))$$, tests.get('ink'), tests.get('store')
));
select lives_ok(format(current_setting('tests.move'), 'receive', 25, ''), 'production receives 25 l');
select is(
    (
        select quantity_on_hand::numeric
        from api.inventory_levels where
            product_id = tests.get('ink')
            and location_id = tests.get('store')
    ), 25.000, 'the level moves in the same transaction'
);
select lives_ok(format(current_setting('tests.move'), 'consume', 14, ''), 'consumes 14 (11 left, above 10)');
select is(
    tests.events('stock.low', tests.get('ink')),
    1, 'only the level''s creation at zero was below its point so far'
);
select lives_ok(format(current_setting('tests.move'), 'consume', 2, ''), 'consumes 2: 9 left, below 10');
select lives_ok(format(current_setting('tests.move'), 'consume', 1, ''), 'consumes 1 more: 8 left');
select is(
    tests.events('stock.low', tests.get('ink')),
    2, 'stock.low is recorded once for the crossing, not again while below'
);
select tests.results_eq(
    format($$select sku, quantity_on_hand, shortfall from api.reorder_report where product_id = %L$$, tests.get('ink')),
    $$values ('INK-C'::text, 8.000::numeric, 2.000::numeric)$$,
    'the reorder report lists it with its shortfall'
);
select lives_ok(format(current_setting('tests.move'), 'adjust', 5, ''), 'a count adjusts +5: 13, above again');
select lives_ok(format(current_setting('tests.move'), 'consume', 4, ''), 'consumes 4: 9, below again');
select is(
    tests.events('stock.low', tests.get('ink')),
    3, 'a new crossing records stock.low again'
);
select throws_ok(
    format(current_setting('tests.move'), 'consume', 10, ''), 'PT409', null,
    'consuming more than is on hand is refused'
);
select lives_ok(
    format(current_setting('tests.move'), 'transfer', 4, format(', ''to_location_id'', %L', tests.get('floor'))),
    'a transfer moves 4 to the press room'
);
select tests.results_eq(
    format($$select location_name, quantity_on_hand from api.inventory_levels where product_id = %L
        order by location_name$$, tests.get('ink')),
    $$values ('Press room'::text, 4.000::numeric), ('Store', 5.000)$$,
    'a transfer takes from one location and adds to the other'
);
select throws_ok(
    format($$select api.record_stock_movement(jsonb_build_object('product_id', %L, 'location_id', %L,
        'movement_type', 'receive', 'quantity', 1))$$, tests.get('design'), tests.get('store')),
    'PT422', null, 'a product that does not track inventory has no stock movements'
);

-- The tenant may allow negative stock.
select tests.authenticate_as(tests.get('manager'));
select api.update_sales_settings('{"allow_negative_stock": true}') is not null;
select tests.authenticate_as(tests.get('production'));
select lives_ok(format(current_setting('tests.move'), 'consume', 8, ''), 'with negative stock allowed, 5 - 8 passes');

-- The ledger and who may write it.
select tests.as_superuser();
select throws_ok(
    format($$delete from app.stock_movements where product_id = %L$$, tests.get('ink')), 'PT409', null,
    'movements are never deleted, not even by the owner'
);
select tests.authenticate_as(tests.get('sales'));
select throws_ok(format(current_setting('tests.move'), 'receive', 1, ''), 'PT403', null, 'sales cannot move stock');

select * from finish();
rollback;
