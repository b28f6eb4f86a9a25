-- Clients and contacts: who may read and write, account codes among active clients, archived clients,
-- one primary contact, and the tax id readable only with clients:tax_id.
begin;
select plan(25);

select tests.remember('tenant_a', tests.create_tenant('cli-a'));
select tests.remember('sales', tests.create_user(tests.get('tenant_a'), 'sales'));
select tests.remember('designer', tests.create_user(tests.get('tenant_a'), 'designer'));
select tests.remember('finance', tests.create_user(tests.get('tenant_a'), 'finance'));

-- Sales (clients:read, clients:write).
select tests.authenticate_as(tests.get('sales'));
select tests.remember('acme', api.create_client(
    '{"account_code": "ACME", "name": "Acme Print", "channel": "trade", "tax_id": "TX-99",
      "billing_address": {"city": "Jax"}}'
));
select
    is(
        (select name from api.clients where id = tests.get('acme')),
        'Acme Print',
        'sales creates a client and reads it back'
    );
select is((select tax_id from api.clients where id = tests.get('acme')), null, 'sales does not see the tax id');
select lives_ok(
    $$select api.create_client('{"account_code": "acme", "name": "Lowercase", "channel": "retail"}')$$,
    'account codes differing in case are different codes'
);
select throws_ok(
    $$select api.create_client('{"account_code": "ACME", "name": "Other", "channel": "retail"}')$$,
    '23505', null, 'a second active client cannot take the same account code'
);
select is(
    api.constraint_message('app', 'clients', 'unique_clients_account_code'),
    'Another active client already has this account code; choose another code or archive that client first.',
    'the duplicate code has words a person can act on'
);
select throws_ok(
    $$select api.create_client('{"account_code": "has space", "name": "X", "channel": "retail"}')$$,
    '23514', null, 'an account code has no spaces'
);
select throws_ok(
    $$select api.create_client(
        '{"account_code": "B1", "name": "X", "channel": "retail", "billing_address": "Main St"}'
    )$$,
    '22023', 'billing_address: Send the fields as a JSON object.',
    'an address is a JSON object (its shape, api.address, says so)'
);
select throws_ok(
    $$select api.create_client('{"account_code": "B2", "name": "X", "channel": "retail",
        "billing_address": {"city": "Springfield", "planet": "Earth"}}')$$,
    '22023', 'planet is not a field of this request.', 'a field the shape does not have is refused, by name'
);
select throws_ok(
    $$select api.create_client('{"account_code": "B3", "name": "X"}')$$,
    '23502', 'channel is required.', 'a required field missing is refused, by name'
);
select throws_ok(
    format(
        $$select api.create_client('{"account_code": "B4", "name": "X", "channel": "retail", "email": "%s@x.test"}')$$,
        repeat('a', 300)
    ),
    '23514', 'email: value for domain app.email_address violates check constraint "check_email_address"',
    'a value its type refuses is refused, naming the field'
);

select api.update_client(tests.get('acme'), '{"billing_address": null}');
select is(
    (select billing_address from api.clients where id = tests.get('acme')), null,
    'a JSON null clears an address'
);

-- Archived clients: read-only, and their account code is free again.
select api.archive_client(tests.get('acme'));
select isnt((select archived_at from api.clients where id = tests.get('acme')), null, 'archiving stamps archived_at');
select throws_ok(
    format($$select api.update_client(%L, '{"name": "Renamed"}')$$, tests.get('acme')),
    'PT409', 'Client ACME is archived, so it cannot be changed.', 'an archived client cannot be changed'
);
select lives_ok(
    $$select api.create_client('{"account_code": "ACME", "name": "Acme Again", "channel": "trade"}')$$,
    'an archived client''s account code can be used again'
);
select throws_ok(
    format($$select api.create_contact(%L, '{"name": "Late"}')$$, tests.get('acme')),
    'PT409', null, 'no contact is added to an archived client'
);
select throws_ok(
    format($$select api.update_client(%L, '{"name": "Nobody"}')$$, gen_random_uuid()),
    'PT404', null, 'changing a client that does not exist is a 404'
);

-- Contacts: one primary per client.
select tests.remember('beta', api.create_client('{"account_code": "BETA", "name": "Beta", "channel": "retail"}'));
select
    tests.remember(
        'pat', api.create_contact(tests.get('beta'), '{"name": "Pat", "is_primary": true, "email": "pat@beta.test"}')
    );
select throws_ok(
    format($$select api.create_contact(%L, '{"name": "Sam", "is_primary": true}')$$, tests.get('beta')),
    '23505', null, 'a client has one primary contact'
);
select api.update_contact(tests.get('pat'), '{"is_primary": false}');
select lives_ok(
    format($$select api.create_contact(%L, '{"name": "Sam", "is_primary": true}')$$, tests.get('beta')),
    'once the primary is unset, another contact can be primary'
);

-- Designer (clients:read only).
select tests.authenticate_as(tests.get('designer'));
select is((select count(*) from api.clients)::int, 4, 'a designer reads clients');
select throws_ok(
    $$select api.create_client('{"account_code": "D1", "name": "D", "channel": "retail"}')$$,
    'PT403', 'You need the clients:write permission to do this.', 'a designer cannot create a client'
);
select throws_ok(
    format($$update app.clients set name = 'Hacked' where id = %L$$, tests.get('beta')),
    '42501', null, 'nobody on staff writes the table directly: the api is the only door'
);
select is(
    (select name from api.clients where id = tests.get('beta')), 'Beta',
    'and the client is unchanged'
);

-- Finance (clients:tax_id).
select tests.authenticate_as(tests.get('finance'));
select is(
    (select tax_id from api.clients where id = tests.get('acme')), 'TX-99', 'finance reads the tax id in clear'
);
select throws_ok(
    'select tax_id_encrypted from app.clients', '42501', null, 'nobody on staff selects the ciphertext'
);
select throws_ok(
    'select tax_id from internal.client_tax_ids', '42501', null, 'nor the owner view that decrypts it'
);

select * from finish();
rollback;
