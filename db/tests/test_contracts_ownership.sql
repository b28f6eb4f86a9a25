-- Client-owned contracts (seed 001 "Guardrails", "Live status semantics"): templates instantiate a client-owned
-- contract; a non-template contract needs an owner; it is assigned only to its owner (PT409 in words); renewal
-- drafts copy the owner; live status comes from the assignment; activate, terminate and unassign act on it.
begin;
select plan(20);

select tests.remember('tenant', tests.create_tenant('con-own'));
select tests.remember('finance', tests.create_user(tests.get('tenant'), 'finance'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.remember('designer', tests.create_user(tests.get('tenant'), 'designer'));
select tests.authenticate_as(tests.get('manager'));
select
    tests.remember(
        'green', api.create_client('{"account_code": "GREEN", "name": "The Green Thumb", "channel": "msp"}')
    );
select tests.remember('btm', api.create_client('{"account_code": "BTM", "name": "BTM Machinery", "channel": "msp"}'));
select tests.remember('template', api.create_contract_template('{"name": "Managed IT Services", "lines": [
    {"name": "Monitoring", "line_type": "fixed", "amount": 1500},
    {"name": "Onsite", "line_type": "hourly", "hourly_rate": 125}]}'));

select tests.remember('contract', api.instantiate_contract(tests.get('template'), tests.get('green')));
select tests.results_eq(
    format(
        'select owner_client_id, is_template, jsonb_array_length(lines) from api.contracts where id = %L',
        tests.get('contract')
    ),
    format('values (%L::uuid, false, 2)', tests.get('green')),
    'a template instantiates a contract owned by the client, with the template''s lines'
);
select tests.remember('second', api.instantiate_contract(tests.get('template'), tests.get('btm')));
select isnt(tests.get('second'), tests.get('contract'), 'the template stays reusable: another client gets its own');
select throws_ok(
    $$select api.create_contract('{"name": "Nobody''s"}')$$,
    '23514', null, 'a non-template contract needs an owner'
);
select is(
    api.constraint_message('app', 'contracts', 'check_contracts_owner'),
    'A contract that is not a template belongs to one client: give its owner client.',
    'and the refusal says what to do'
);
select lives_ok(
    $$select api.create_contract('{"name": "Library entry", "is_template": true}')$$,
    'a template contract needs no owner'
);

-- Assignments.
select tests.remember('assignment', api.assign_contract(tests.get('contract'), jsonb_build_object(
    'client_id', tests.get('green'), 'start_date', current_date - 10, 'po_number', 'PO-77'
)));
select throws_ok(
    format($$select api.assign_contract(%L, '{"client_id": "%s"}')$$, tests.get('contract'), tests.get('btm')),
    'PT409', 'Contract Managed IT Services belongs to The Green Thumb; it cannot be assigned to BTM Machinery.',
    'assigning a contract to a client that does not own it is refused in words'
);
select tests.as_owner(tests.get('tenant'));
select throws_ok(
    format($$update app.client_contracts set client_id = %L where id = %L$$, tests.get('btm'), tests.get('assignment')),
    'PT409', null, 'moving an assignment to another client is refused too, whoever writes'
);
select tests.authenticate_as(tests.get('manager'));
select throws_ok(
    format(
        $$select api.assign_contract(%L, '{"client_id": "%s", "start_date": "%s"}')$$,
        tests.get('contract'), tests.get('green'), current_date + 30
    ),
    '23P01', null, 'a second window over days the first one covers (it is open-ended) is refused'
);
select is(
    api.constraint_message('app', 'client_contracts', 'exclude_client_contracts_overlap'),
    'This client already has the contract assigned for part of those dates.',
    'in words'
);
select is(
    (select status from api.client_contracts where id = tests.get('assignment')), 'inactive',
    'a new assignment waits for activation'
);
select api.activate_client_contract(tests.get('assignment'));
select is((select status from api.client_contracts where id = tests.get('assignment')), 'active', 'activated: active');

-- Status derives from the assignment, never from contracts.status.
select api.update_contract(tests.get('contract'), '{"status": "archived"}');
select is(
    (select status from api.client_contracts where id = tests.get('assignment')), 'active',
    'the header''s status does not change the live status'
);
select tests.as_superuser();
select tests.results_eq(
    $$select internal.assignment_status(true, null, current_date + 5, null, 'none', current_date) as a,
             internal.assignment_status(true, null, current_date - 5, current_date + 20, 'none', current_date) as b,
             internal.assignment_status(true, null, current_date - 50, current_date - 1, 'none', current_date) as c,
             internal.assignment_status(true, null, current_date - 5, current_date + 200, 'pending_renewal', current_date) as d$$,
    $$values ('upcoming'::text, 'expiring'::text, 'expired'::text, 'pending_renewal'::text)$$,
    'upcoming, expiring (within 30 days), expired and pending renewal come from dates and renewal state'
);
select tests.authenticate_as(tests.get('manager'));

-- Renewal drafts copy the owner and the lines.
select tests.remember('renewal', api.create_renewal_draft(tests.get('assignment')));
select tests.results_eq(
    format(
        'select owner_client_id, status, jsonb_array_length(lines) from api.contracts where id = %L',
        tests.get('renewal')
    ),
    format($$values (%L::uuid, 'draft'::text, 2)$$, tests.get('green')),
    'a renewal draft is owned by the same client, with the same lines'
);
select is(
    (select status from api.client_contracts where id = tests.get('assignment')), 'pending_renewal',
    'the assignment shows the pending renewal'
);

-- Terminate and unassign.
select api.terminate_client_contract(tests.get('assignment'));
select is(
    (select status from api.client_contracts where id = tests.get('assignment')), 'terminated', 'terminated'
);
select throws_ok(
    format($$select api.activate_client_contract(%L)$$, tests.get('assignment')),
    'PT409', null, 'a terminated assignment is not activated again'
);
select api.assign_contract(tests.get('second'), jsonb_build_object(
    'client_id', tests.get('btm'), 'start_date', current_date - 30, 'end_date', current_date - 1
));
select lives_ok(
    format(
        $$select tests.remember('spare', api.assign_contract(%L, '{"client_id": "%s"}'))$$,
        tests.get('second'), tests.get('btm')
    ),
    'once a window has ended, the client can have the contract again from the next day'
);
select lives_ok(
    format($$select api.unassign_client_contract(%L)$$, tests.get('spare')), 'an assignment never billed can be removed'
);

select tests.authenticate_as(tests.get('designer'));
select throws_ok(
    format($$select api.instantiate_contract(%L, %L)$$, tests.get('template'), tests.get('btm')),
    'PT403', null, 'a designer cannot create contracts'
);

select * from finish();
rollback;
