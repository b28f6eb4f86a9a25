-- The shapes of the sales, billing, contracts and inventory operations (db/migrations/0017_shapes_sales.sql): each
-- body refuses an unknown field, a missing required one, a null where the column needs a value, and a value its
-- type refuses, naming the field (COLUMN is its path, items.0.quantity); scalar arguments are typed too. And the
-- rules that moved from the service: an order from a quote takes nothing the quote gives, an invoice is voided by
-- PATCH on its own, refused moves say where a status may go, the tenant's sales settings by field permission.
begin;
select plan(73);

-- What a refused statement raised: its SQLSTATE, COLUMN (the field's path), message and hint.
create function tests.refusal(p_sql text) returns jsonb
language plpgsql volatile
as $$
declare
    state text;
    field text;
    message text;
    hint text;
begin
    execute p_sql;
    return null;
exception when others then
    get stacked diagnostics state = returned_sqlstate, field = column_name, message = message_text, hint = pg_exception_hint;
    return jsonb_build_object('state', state, 'column', field, 'message', message, 'hint', hint);
end;
$$;
grant execute on function tests.refusal(text) to public;

select tests.remember('tenant', tests.create_tenant('shapes-a'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.remember('sales', tests.create_user(tests.get('tenant'), 'sales'));
select tests.remember('production', tests.create_user(tests.get('tenant'), 'production'));
select tests.remember('designer', tests.create_user(tests.get('tenant'), 'designer'));
select tests.remember('other_tenant', tests.create_tenant('shapes-b'));
select tests.remember('stranger', tests.create_user(tests.get('other_tenant'), 'manager'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember('client', api.create_client('{"account_code": "SHP", "name": "Shapes", "channel": "retail"}'));
select tests.remember('product', api.create_product('{"sku": "SHP-1", "name": "Sign", "default_price": 10}'));
select tests.remember('location', api.create_inventory_location('{"name": "Store"}'));
select tests.sales_template() is not null;
select tests.remember('quote', tests.sales_quote(tests.get('client')));

-- Products, leads, labor rates.
select is(
    tests.refusal($$select api.create_product('{"sku": "P1", "name": "P", "price": 5}')$$),
    '{"state": "22023", "column": "price", "message": "price is not a field of this request.", "hint": ""}',
    'a product: a field the shape does not have is refused by name (totals, prices under other names)'
);
select is(
    tests.refusal($$select api.create_product('{"name": "P"}')$$) - 'hint',
    '{"state": "23502", "column": "sku", "message": "sku is required."}', 'a product needs its SKU'
);
select is(
    tests.refusal($$select api.create_product('{"sku": "P 1", "name": "P"}')$$) - 'hint',
    '{"state": "23514", "column": "sku",
      "message": "sku: value for domain app.sku violates check constraint \"check_sku\""}',
    'a SKU''s pattern is its type'
);
select is(
    tests.refusal($$select api.create_product('{"sku": "P2", "name": "P", "default_price": "NaN"}')$$) ->> 'column',
    'default_price', 'a price is a number: NaN is refused, naming the field'
);
select is(
    tests.refusal($$select api.create_product('{"sku": "P3", "name": "P", "cost_price": -1}')$$) ->> 'message',
    'cost_price: value for domain app.price violates check constraint "check_price"', 'and it is zero or more'
);
select is(
    tests.refusal(format($$select api.update_product(%L, '{"name": null}')$$, tests.get('product'))) - 'hint',
    '{"state": "23502", "column": "name", "message": "name cannot be null."}',
    'a change may leave a field out but not send null where the column needs a value'
);
select lives_ok(
    format($$select api.update_product(%L, '{"description": null, "archived": true}')$$, tests.get('product')),
    'a nullable field is cleared with null'
);
select is(
    tests.refusal($$select api.create_lead('{"name": "L", "source": "web", "status": "won"}')$$) ->> 'column',
    'status', 'a lead''s status is one of its words'
);
select is(
    tests.refusal($$select api.create_lead('{"name": "L", "source": "web", "estimated_value": -5}')$$) ->> 'state',
    '23514', 'an estimated value is zero or more'
);
select is(
    tests.refusal($$select api.set_labor_rate('{"role": "boss", "hourly_rate": 40}')$$) ->> 'column',
    'role', 'a labor rate is for a staff role'
);

-- Quotes and their lines: a nested field is named by its path.
select is(
    tests.refusal(format($$select api.create_quote('{"client_id": "%s", "project_type": "banner",
        "items": [{"description": "x", "unit_price": 1, "line_total": 1}]}')$$, tests.get('client'))) - 'hint',
    '{"state": "22023", "column": "items.0.line_total", "message": "line_total is not a field of this request."}',
    'a total is the database''s to compute: a line sending one is refused'
);
select is(
    tests.refusal(format(
        $$select api.create_quote('{"client_id": "%s", "project_type": "banner",
        "items": [{"description": "x", "unit_price": 1}, {"description": "y", "quantity": 0}]}')$$,
        tests.get('client')
    )) ->> 'column',
    'items.1.quantity', 'a line quantity is more than zero, said of the line that sent it'
);
select is(
    tests.refusal(format($$select api.create_quote('{"client_id": "%s", "project_type": "banner",
        "items": {"description": "x"}}')$$, tests.get('client'))) ->> 'message',
    'items: Send a JSON array here.', 'items are an array'
);
select is(
    tests.refusal(format($$select api.create_quote('{"client_id": "%s"}')$$, tests.get('client'))) ->> 'message',
    'project_type is required.', 'a quote needs its project type'
);
select is(
    tests.refusal(format($$select api.update_quote(%L, '{"currency": null}')$$, tests.get('quote'))) ->> 'state',
    '23502', 'a quote''s currency cannot be cleared'
);
select is(
    tests.refusal(format(
        $$select api.add_quote_item(%L, '{"description": "x", "tax_rate": 101}')$$,
        tests.get('quote')
    )) ->> 'column',
    'tax_rate', 'a line''s tax rate is a percentage'
);
select is(
    tests.refusal(format('select api.reject_quote(%L, %L)', tests.get('quote'), repeat('x', 10001))) ->> 'state',
    '23514', 'a rejection''s reason is a note (scalar arguments are typed too)'
);
select is(
    tests.refusal(format('select api.send_quote(%L)', tests.get('quote'))) - 'column',
    jsonb_build_object(
        'state', 'PT409',
        'message', format(
            'Quote %s is sent; it cannot become sent.',
            (select quote_number from api.quotes where id = tests.get('quote'))
        ),
        'hint', 'Allowed from sent: accepted, rejected, expired.'
    ),
    'a refused quote move says where it may go, from app.quote_status_transitions'
);

-- Orders: the shape, and an order from a quote takes nothing the quote gives.
select is(
    tests.refusal(format(
        $$select * from api.create_order('{"quote_id": "%s", "priority": "asap"}')$$,
        tests.get('quote')
    )) ->> 'column',
    'priority', 'an order''s priority is one of its words'
);
select is(
    tests.refusal(format(
        $$select * from api.create_order('{"quote_id": "%s", "client_id": "%s"}')$$,
        tests.get('quote'), tests.get('client')
    )) - 'hint',
    '{"state": "22023", "column": "client_id",
      "message": "An order from a quote takes its client, type, currency and items from the quote."}',
    'an order from a quote refuses a client'
);
select is(
    tests.refusal(format(
        $$select * from api.create_order('{"quote_id": "%s", "items": []}')$$,
        tests.get('quote')
    )) ->> 'column',
    'items', 'and items'
);
select is(
    tests.refusal(format($$select * from api.create_order('{"quote_id": "%s", "currency": "EUR",
        "project_type": "banner"}')$$, tests.get('quote'))) ->> 'state',
    '22023', 'and a currency or a type'
);
select is(
    (select count(*) from api.orders)::integer, 0, 'nothing was written by the refusals'
);
select tests.remember('order', (select order_id from api.create_order(jsonb_build_object(
    'quote_id', tests.get('quote'), 'po_number', 'PO-9', 'priority', 'rush'
))));
select tests.results_eq(
    format('select client_id, po_number, priority, total from api.orders where id = %L', tests.get('order')),
    format($$values (%L::uuid, 'PO-9'::text, 'urgent'::text, 972.00::numeric)$$, tests.get('client')),
    'an order from a quote with its own fields only: accepted, rush kept as urgent'
);
select tests.results_eq(
    format($$select project = jsonb_build_object('id', project_id, 'project_code', project_code)
        from api.orders where id = %L$$, tests.get('order')),
    $$values (true)$$,
    'an order nests its project as {id, project_code} (@shape api.project_ref)'
);
select tests.results_eq(
    format($$select pdf_url = '/api/v1/projects/' || project_id || '/job-tickets/' || id || '.pdf'
        from api.job_tickets where order_id = %L$$, tests.get('order')),
    $$values (true)$$,
    'a job ticket says where its PDF is'
);
select is(
    tests.refusal(format($$select api.update_order(%L, '{"status": "completed"}')$$, tests.get('order'))) - 'column',
    jsonb_build_object(
        'state', 'PT409',
        'message', format(
            'Order %s cannot go from pending to completed.',
            (select order_number from api.orders where id = tests.get('order'))
        ),
        'hint', 'Allowed from pending: in_production, on_hold, cancelled.'
    ),
    'a refused order move is a conflict that says where the order may go, in the lifecycle''s order'
);
select is(
    tests.refusal(format($$select api.update_order(%L, '{"status": null}')$$, tests.get('order'))) ->> 'message',
    'status cannot be null.', 'an order''s status cannot be cleared'
);
select is(
    tests.refusal(format(
        $$select api.update_order(%L, '{"client_id": "%s"}')$$, tests.get('order'),
        tests.get('client')
    )) ->> 'state',
    '22023', 'an order''s client does not change'
);
select is(
    tests.refusal(format(
        $$select * from api.record_order_deposit(%L, '{"amount": 0, "method": "card"}')$$,
        tests.get('order')
    )) ->> 'column',
    'amount', 'a deposit is more than zero'
);
select is(
    tests.refusal(format(
        $$select * from api.record_order_deposit(%L, '{"amount": 10}')$$,
        tests.get('order')
    )) ->> 'message',
    'method is required.', 'and says how it was paid'
);
select tests.authenticate_as(tests.get('stranger'));
select is(
    tests.refusal(format($$select * from api.create_order('{"quote_id": "%s"}')$$, tests.get('quote'))) ->> 'state',
    'PT404', 'another tenant''s quote is not found'
);
select tests.authenticate_as(tests.get('designer'));
select is(
    tests.refusal(format(
        $$select * from api.create_order('{"quote_id": "%s", "client_id": "%s"}')$$,
        tests.get('quote'), tests.get('client')
    )) ->> 'state',
    'PT403', 'a role without orders:write is refused before its body is weighed'
);

-- Invoices: PATCH voids a sent invoice on its own.
select tests.authenticate_as(tests.get('manager'));
select tests.remember('invoice', tests.sent_invoice(tests.get('client'), 40));
select is(
    tests.refusal(format($$select api.create_invoice('{"client_id": "%s",
        "items": [{"description": "x"}]}')$$, tests.get('client'))) - 'hint',
    '{"state": "23502", "column": "items.0.unit_price", "message": "unit_price is required."}',
    'an invoice item needs its price'
);
select is(
    tests.refusal(format(
        $$select api.create_invoice('{"client_id": "%s", "kind": "gift"}')$$,
        tests.get('client')
    )) ->> 'column',
    'kind', 'an invoice''s kind is one of its words'
);
select is(
    tests.refusal(format($$select api.update_invoice(%L, '{"status": "paid"}')$$, tests.get('invoice'))) ->> 'column',
    'status', 'an invoice''s status is set by hand only to void'
);
select is(
    tests.refusal(format(
        $$select api.update_invoice(%L, '{"status": "void", "notes": "n"}')$$,
        tests.get('invoice')
    )) - 'hint',
    '{"state": "22023", "column": "notes",
      "message": "Void an invoice on its own: send only status and voidReason."}',
    'voiding comes with nothing but its reason'
);
select is(
    tests.refusal(format($$select api.update_invoice(%L, '{"void_reason": "n"}')$$, tests.get('invoice'))) - 'hint',
    '{"state": "22023", "column": "void_reason", "message": "voidReason goes with status void."}',
    'a reason comes only with voiding'
);
select is(
    tests.refusal(format(
        $$select api.update_invoice(%L, '{"lines": [{"description": "d"}]}')$$,
        tests.get('invoice')
    )) ->> 'column',
    'lines.0.id', 'a line description names its line'
);
select tests.authenticate_as(tests.get('sales'));
select is(
    tests.refusal(format($$select api.update_invoice(%L, '{"status": "void"}')$$, tests.get('invoice'))) ->> 'state',
    'PT403', 'a role without invoices:write cannot void'
);
select tests.authenticate_as(tests.get('stranger'));
select is(
    tests.refusal(format($$select api.update_invoice(%L, '{"status": "void"}')$$, tests.get('invoice'))) ->> 'state',
    'PT404', 'nor can another tenant'
);
select tests.authenticate_as(tests.get('manager'));
select lives_ok(
    format($$select api.update_invoice(%L, '{"status": "void", "void_reason": "Duplicate"}')$$, tests.get('invoice')),
    'status void with its reason voids a sent invoice'
);
select tests.results_eq(
    format('select status, void_reason, voided_at is not null from api.invoices where id = %L', tests.get('invoice')),
    $$values ('void'::text, 'Duplicate'::text, true)$$,
    'through the void logic (stamped, with its reason)'
);
select is(
    tests.refusal(format(
        $$select api.generate_invoice_draft(%L, '{"tax_rate": 101}')$$,
        (select project_id from api.orders where id = tests.get('order'))
    )) ->> 'column',
    'tax_rate', 'a draft''s tax rate is a percentage'
);

-- Payments.
select is(
    tests.refusal(format(
        $$select api.record_payment('{"client_id": "%s", "method": "barter", "amount": 5}')$$,
        tests.get('client')
    )) ->> 'column',
    'method', 'a payment method is one of its words'
);
select is(
    tests.refusal(format(
        $$select api.record_payment('{"client_id": "%s", "method": "cash", "amount": "Infinity"}')$$,
        tests.get('client')
    )) ->> 'column',
    'amount', 'an amount is a finite number'
);
select tests.remember('payment', api.record_payment(jsonb_build_object(
    'client_id', tests.get('client'), 'method', 'cash', 'amount', 5
)));
select is(
    tests.refusal(format(
        $$select * from api.apply_payment(%L, '[{"invoice_id": "%s"}]')$$,
        tests.get('payment'), tests.get('invoice')
    )) - 'hint',
    '{"state": "23502", "column": "0.amount", "message": "amount is required."}',
    'an application says how much'
);
select is(
    tests.refusal(format(
        $$select * from api.apply_payment(%L, '[{"invoice_id": "%s", "amount": -1}]')$$,
        tests.get('payment'), tests.get('invoice')
    )) ->> 'column',
    '0.amount', 'and it is more than zero'
);

-- Contracts.
select is(
    tests.refusal($$select api.create_contract_template('{"name": "T",
        "lines": [{"name": "Care", "line_type": "daily"}]}')$$) ->> 'column',
    'lines.0.line_type', 'a template line is fixed or hourly'
);
select is(
    tests.refusal(format(
        $$select api.create_contract('{"name": "C", "owner_client_id": "%s",
        "lines": [{"name": "Care", "line_type": "fixed", "services": [{"quantity": 2}]}]}')$$,
        tests.get('client')
    )) - 'hint',
    '{"state": "23502", "column": "lines.0.services.0.service_name", "message": "service_name is required."}',
    'a service of a contract line is named, at any depth'
);
select tests.remember('template', api.create_contract_template(
    '{"name": "Care", "lines": [{"name": "Care", "line_type": "fixed", "amount": 100}]}'
));
select is(
    tests.refusal(format(
        $$select api.instantiate_contract(%L, %L, '{"client_id": "%s"}')$$,
        tests.get('template'), tests.get('client'), tests.get('client')
    )) ->> 'message',
    'client_id is not a field of this request.', 'the client of an instance is its argument, not part of p'
);
select tests.remember('contract', api.instantiate_contract(
    tests.get('template'), tests.get('client'),
    '{"name": "Care for Shapes"}'
));
select is(
    tests.refusal(format($$select api.update_contract(%L, '{"status": null}')$$, tests.get('contract'))) ->> 'state',
    '23502', 'a contract''s status cannot be cleared'
);
select api.update_contract(tests.get('contract'), '{"status": "archived"}') is not null;
select is(
    tests.refusal(format($$select api.update_contract(%L, '{"status": "draft"}')$$, tests.get('contract'))) ->> 'hint',
    'Allowed from archived: nothing (it is final). An archived contract is renewed as a new draft.',
    'a refused contract move says where it may go'
);
select is(
    tests.refusal(format(
        $$select api.assign_contract(%L, '{"start_date": "2026-01-01"}')$$,
        tests.get('contract')
    )) ->> 'message',
    'client_id is required.', 'an assignment names its client'
);
select is(
    tests.refusal(format($$select api.bill_client_contracts(%L, '2026-01-01', '2026-01-31',
        '{"period_start": "2026-01-01"}')$$, tests.get('client'))) ->> 'column',
    'period_start', 'the period of contract billing is its arguments, not part of p'
);

-- Inventory and job tickets.
select is(
    tests.refusal(format($$select api.record_stock_movement('{"product_id": "%s", "location_id": "%s",
        "movement_type": "steal", "quantity": 1}')$$, tests.get('product'), tests.get('location'))) ->> 'column',
    'movement_type', 'a movement type is one of its words'
);
select is(
    tests.refusal(format($$select api.record_stock_movement('{"product_id": "%s", "location_id": "%s",
        "movement_type": "adjust", "quantity": "NaN"}')$$, tests.get('product'), tests.get('location'))) ->> 'message',
    'quantity: value for domain app.quantity violates check constraint "check_quantity"', 'a quantity is a number'
);
select is(
    tests.refusal(format(
        $$select api.set_reorder_point(%L, %L, 'NaN')$$, tests.get('product'),
        tests.get('location')
    )) ->> 'state',
    '23514', 'and so is a reorder point (scalar arguments are typed)'
);
select is(
    tests.refusal($$select api.create_inventory_location('{"name": "Moon", "location_type": "moon"}')$$) ->> 'column',
    'location_type', 'a location type is one of its words'
);
select is(
    tests.refusal(format(
        'select * from api.scan_job_ticket(%L, %L)',
        (select ticket_code from api.job_tickets where order_id = tests.get('order')), repeat('s', 65)
    )) ->> 'state',
    '23514', 'a station is a code'
);

-- Sales settings: readable by who may read them, each setting set by its own permission.
select is(
    tests.refusal($$select api.update_sales_settings('{"deposit_percent": 101}')$$) ->> 'column',
    'deposit_percent', 'a deposit percentage is from 0 to 100'
);
select is(
    tests.refusal($$select api.update_sales_settings('{"allow_negative_stock": null}')$$) ->> 'message',
    'allow_negative_stock cannot be null.', 'a setting is changed, never cleared'
);
select is(
    api.update_sales_settings('{"deposit_percent": 35}'), tests.get('tenant'),
    'the manager sets the deposit rule; the answer is the tenant''s id'
);
select tests.results_eq(
    'select tenant_id, deposit_percent, allow_negative_stock from api.sales_settings',
    format($$values (%L::uuid, 35.00::numeric, false)$$, tests.get('tenant')),
    'and reads it back, the other setting at its default'
);
select tests.authenticate_as(tests.get('production'));
select lives_ok(
    $$select api.update_sales_settings('{"allow_negative_stock": true}')$$,
    'production (inventory:write) allows negative stock'
);
select throws_ok(
    $$select api.update_sales_settings('{"deposit_percent": 10}')$$, 'PT403', null,
    'but may not change the deposit rule (orders:write)'
);
select tests.results_eq(
    'select deposit_percent, allow_negative_stock from api.sales_settings',
    $$values (35.00::numeric, true)$$, 'production reads both (inventory:read)'
);
select tests.authenticate_as(tests.get('sales'));
select throws_ok(
    $$select api.update_sales_settings('{"deposit_percent": 10}')$$, 'PT403', null,
    'sales (orders:read only) changes neither'
);
select tests.authenticate_as(tests.get('designer'));
select is_empty('select * from api.sales_settings', 'a designer (neither orders:read nor inventory:read) reads none');
select tests.authenticate_as(tests.get('stranger'));
select tests.results_eq(
    'select tenant_id, deposit_percent from api.sales_settings',
    format($$values (%L::uuid, 50.00::numeric)$$, tests.get('other_tenant')),
    'another tenant reads its own settings (the defaults), never these'
);

-- Catalog: no operation of these areas takes an untyped body, and every @shape tag names a composite type.
select is_empty(
    $$select p.oid::regprocedure from pg_proc as p
      where p.pronamespace = 'api'::regnamespace and 'jsonb'::regtype = any(p.proargtypes::oid[])
        and p.proname = any('{create_lead,update_lead,create_product,update_product,create_quote,update_quote,
            add_quote_item,create_order,update_order,record_order_deposit,create_invoice,update_invoice,
            add_invoice_line,generate_invoice_draft,record_payment,apply_payment,bill_client_contracts,
            create_contract_template,create_contract,update_contract,instantiate_contract,assign_contract,
            create_inventory_location,record_stock_movement,set_labor_rate,update_sales_settings}'::text[])$$,
    'every sales, billing, contracts and inventory operation takes its body as a shape'
);
select is_empty(
    $$select c.relname, a.attname, m[1] from pg_attribute as a
      join pg_class as c on c.oid = a.attrelid
      cross join lateral regexp_matches(col_description(a.attrelid, a.attnum), '@shape ([a-z_.]+)') as m
      where c.relnamespace = 'api'::regnamespace
        and not exists (select from pg_type as t where t.oid = to_regtype(m[1]) and t.typtype = 'c')$$,
    'every @shape tag names a composite type'
);

-- Views are responses: a computed column carries its domain, so money leaves as a decimal string, measures as numbers.
select is_empty(
    $$select x.view_name, x.column_name, x.wanted, format_type(a.atttypid, null) as actual
      from (values
          ('quotes', 'subtotal', 'app.money'), ('quotes', 'discount_total', 'app.money'),
          ('quotes', 'tax_total', 'app.money'), ('quotes', 'total', 'app.money'),
          ('quote_items', 'quantity', 'app.quantity'), ('quote_items', 'unit_price', 'app.money'),
          ('quote_items', 'discount_pct', 'app.percent'), ('quote_items', 'tax_rate', 'app.percent'),
          ('quote_items', 'discount_amount', 'app.money'), ('quote_items', 'line_total', 'app.money'),
          ('quote_items', 'tax_amount', 'app.money'),
          ('orders', 'subtotal', 'app.money'), ('orders', 'total', 'app.money'),
          ('orders', 'deposit_required', 'app.money'), ('orders', 'deposit_received', 'app.money'),
          ('orders', 'deposit_outstanding', 'app.money'), ('orders', 'project', 'jsonb'),
          ('order_items', 'quantity', 'app.quantity'), ('order_items', 'line_total', 'app.money'),
          ('outstanding_deposits', 'outstanding', 'app.money'), ('reorder_report', 'shortfall', 'app.quantity'),
          ('invoices', 'subtotal', 'app.money'), ('invoices', 'tax_total', 'app.money'),
          ('invoices', 'total', 'app.money'), ('invoices', 'amount_paid', 'app.money'),
          ('invoices', 'balance_due', 'app.money'),
          ('invoice_lines', 'quantity', 'app.quantity'), ('invoice_lines', 'unit_price', 'app.money'),
          ('invoice_lines', 'tax_rate', 'app.percent'), ('invoice_lines', 'line_total', 'app.money'),
          ('invoice_lines', 'tax_amount', 'app.money'),
          ('payments', 'applied_amount', 'app.money'), ('payments', 'unapplied_amount', 'app.money'),
          ('sales_settings', 'deposit_percent', 'app.percent'), ('job_tickets', 'pdf_url', 'text'),
          ('client_contracts', 'status', 'app.assignment_status')
      ) as x (view_name, column_name, wanted)
      left join pg_attribute as a on a.attrelid = to_regclass('api.' || x.view_name) and a.attname = x.column_name
      where format_type(a.atttypid, null) is distinct from x.wanted$$,
    'computed money is app.money, measures app.quantity or app.percent, a derived status its vocabulary'
);

select * from finish();
rollback;
