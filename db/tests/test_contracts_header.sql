-- A contract's header: edited through api.update_contract; its status goes draft -> published -> archived and never
-- back; an archived contract is not assigned again; once billed, its currency and frequency stay as invoiced.
begin;
select plan(12);

select tests.remember('tenant', tests.create_tenant('con-head'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.remember('designer', tests.create_user(tests.get('tenant'), 'designer'));
select tests.remember('intruder_tenant', tests.create_tenant('con-head-other'));
select tests.remember('intruder', tests.create_user(tests.get('intruder_tenant'), 'manager'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember('client', api.create_client('{"account_code": "WNW", "name": "WorryNot", "channel": "msp"}'));
select tests.remember('contract', api.create_contract(jsonb_build_object(
    'name', 'Worry-Free Essentials', 'owner_client_id', tests.get('client'), 'lines', jsonb_build_array(
        jsonb_build_object('name', 'Helpdesk', 'line_type', 'fixed', 'amount', 800)
    )
)));

-- Staff of the tenant.
select lives_ok(
    format(
        $$select api.update_contract(%L, '{"name": "Worry-Free Plus", "description": "24/7", "currency": "EUR"}')$$,
        tests.get('contract')
    ),
    'a draft''s name, description and terms can change'
);
select tests.results_eq(
    format('select name, description, currency, status from api.contracts where id = %L', tests.get('contract')),
    $$values ('Worry-Free Plus'::text, '24/7'::text, 'EUR'::text, 'draft'::text)$$,
    'and what was not given stays'
);
select lives_ok(
    format($$select api.update_contract(%L, '{"status": "published"}')$$, tests.get('contract')),
    'draft to published'
);
select throws_ok(
    format($$select api.update_contract(%L, '{"status": "draft"}')$$, tests.get('contract')),
    'PT409', 'Contract Worry-Free Plus cannot go from published to draft.', 'but never back'
);
select throws_ok(
    format($$select api.update_contract(%L, '{"status": "finished"}')$$, tests.get('contract')),
    '23514', null, 'an unknown status is refused'
);

-- Billed: the terms are what the invoices say.
select tests.remember('assignment', api.assign_contract(tests.get('contract'), jsonb_build_object(
    'client_id', tests.get('client'), 'start_date', '2026-01-01', 'end_date', '2026-06-30'
)));
select api.activate_client_contract(tests.get('assignment'));
select api.bill_client_contracts(tests.get('client'), '2026-03-01', '2026-03-31');
select throws_ok(
    format($$select api.update_contract(%L, '{"billing_frequency": "quarterly"}')$$, tests.get('contract')),
    'PT409', 'Contract Worry-Free Plus has been billed; its currency and billing frequency stay as invoiced.',
    'a billed contract keeps its billing frequency'
);
select lives_ok(
    format($$select api.update_contract(%L, '{"description": "24/7, 4h response"}')$$, tests.get('contract')),
    'its description still changes'
);

-- Archived: not assigned again.
select api.update_contract(tests.get('contract'), '{"status": "archived"}');
select throws_ok(
    format(
        $$select api.assign_contract(%L, '{"client_id": "%s", "start_date": "2026-07-01"}')$$,
        tests.get('contract'), tests.get('client')
    ),
    'PT409', 'Contract Worry-Free Plus is archived; it cannot be assigned again.',
    'an archived contract is not assigned again'
);
select is(
    (select status from api.client_contracts where id = tests.get('assignment')), 'expired',
    'its last assignment keeps its own live status'
);

-- Staff without contracts:write, staff of another tenant, nobody.
select tests.authenticate_as(tests.get('designer'));
select throws_ok(
    format($$select api.update_contract(%L, '{"name": "Mine"}')$$, tests.get('contract')),
    'PT403', null, 'a designer cannot change contracts'
);
select tests.authenticate_as(tests.get('intruder'));
select throws_ok(
    format($$select api.update_contract(%L, '{"name": "Mine"}')$$, tests.get('contract')),
    'PT404', null, 'another tenant''s manager finds no such contract'
);
select tests.clear_authentication();
select throws_ok(
    format($$select api.update_contract(%L, '{"name": "Mine"}')$$, tests.get('contract')),
    'PT403', null, 'without a sign-in nothing changes'
);

select * from finish();
rollback;
