-- Clients and contacts: who may read and write, account codes among active clients, archived clients,
-- one primary contact, and the tax id readable only with clients:tax_id.
begin;
select plan(19);

select tests.create_tenant('cli-a') as tenant_a \gset
select tests.create_user(:'tenant_a', 'sales') as sales \gset
select tests.create_user(:'tenant_a', 'designer') as designer \gset
select tests.create_user(:'tenant_a', 'finance') as finance \gset

-- Sales (clients:read, clients:write).
select tests.authenticate_as(:'sales');
select api.create_client(
    '{"account_code": "ACME", "name": "Acme Print", "channel": "trade", "tax_id": "TX-99", "billing_address": {"city": "Jax"}}'
) as acme \gset
select is((select name from api.clients where id = :'acme'), 'Acme Print', 'sales creates a client and reads it back');
select is((select tax_id from api.clients where id = :'acme'), null, 'sales does not see the tax id');
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
    $$select api.create_client('{"account_code": "B1", "name": "X", "channel": "retail", "billing_address": "Main St"}')$$,
    '23514', null, 'an address is a JSON object'
);

-- Archived clients: read-only, and their account code is free again.
select api.archive_client(:'acme');
select isnt((select archived_at from api.clients where id = :'acme'), null, 'archiving stamps archived_at');
select throws_ok(
    format($$select api.update_client(%L, '{"name": "Renamed"}')$$, :'acme'),
    'PT409', 'Client ACME is archived, so it cannot be changed.', 'an archived client cannot be changed'
);
select lives_ok(
    $$select api.create_client('{"account_code": "ACME", "name": "Acme Again", "channel": "trade"}')$$,
    'an archived client''s account code can be used again'
);
select throws_ok(
    format($$select api.create_contact(%L, '{"name": "Late"}')$$, :'acme'),
    'PT409', null, 'no contact is added to an archived client'
);
select throws_ok(
    format($$select api.update_client(%L, '{"name": "Nobody"}')$$, gen_random_uuid()),
    'PT404', null, 'changing a client that does not exist is a 404'
);

-- Contacts: one primary per client.
select api.create_client('{"account_code": "BETA", "name": "Beta", "channel": "retail"}') as beta \gset
select api.create_contact(:'beta', '{"name": "Pat", "is_primary": true, "email": "pat@beta.test"}') as pat \gset
select throws_ok(
    format($$select api.create_contact(%L, '{"name": "Sam", "is_primary": true}')$$, :'beta'),
    '23505', null, 'a client has one primary contact'
);
select api.update_contact(:'pat', '{"is_primary": false}');
select lives_ok(
    format($$select api.create_contact(%L, '{"name": "Sam", "is_primary": true}')$$, :'beta'),
    'once the primary is unset, another contact can be primary'
);

-- Designer (clients:read only).
select tests.authenticate_as(:'designer');
select is((select count(*) from api.clients)::int, 4, 'a designer reads clients');
select throws_ok(
    $$select api.create_client('{"account_code": "D1", "name": "D", "channel": "retail"}')$$,
    'PT403', 'You need the clients:write permission to do this.', 'a designer cannot create a client'
);
update app.clients set name = 'Hacked' where id = :'beta';
select is(
    (select name from api.clients where id = :'beta'), 'Beta',
    'writing to the table directly changes nothing without clients:write'
);

-- Finance (clients:tax_id).
select tests.authenticate_as(:'finance');
select is(
    (select tax_id from api.clients where id = :'acme'), 'TX-99', 'finance reads the tax id in clear'
);
select throws_ok(
    'select tax_id_encrypted from app.clients', '42501', null, 'nobody on staff selects the ciphertext'
);

select * from finish();
rollback;
