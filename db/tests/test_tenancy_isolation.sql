-- Generated over the catalog: staff of tenant A reach no row of tenant B, whatever door they try. The api door's
-- policies refuse B's rows in every tenant table (read, update, delete, insert), and with no tenant set nothing is
-- readable or writable; every api view shows none of B's ids to A, and every function a request role may call
-- (staff, portal contact, worker), called as tenant A with B's ids, returns none of B's ids and changes nothing of B.
begin;
select plan(9);

select tests.remember('tenant_a', tests.create_tenant('iso-a'));
select tests.remember('tenant_b', tests.create_tenant('iso-b'));
select tests.seed_tenant(tests.get('tenant_a'));
select tests.seed_tenant(tests.get('tenant_b'));
select tests.remember('user_a', tests.create_user(tests.get('tenant_a'), 'manager'));
select tests.remember('client_a', (
    select id from app.clients
    where tenant_id = tests.get('tenant_a')
    order by id limit 1
));

-- The same persona still sees its own tenant's rows: the policies isolate, they do not simply deny.
select tests.authenticate_as(tests.get('user_a'));
select is((select count(*) from api.clients)::int, 1, 'staff of tenant A see their own client');
select is(
    (select count(*) from api.clients where tenant_id = tests.get('tenant_a'))::int, 1,
    'staff of tenant A naming their tenant (as the service reads) see their own client'
);
select is(
    (select count(*) from api.clients where tenant_id = tests.get('tenant_b'))::int, 0,
    'staff of tenant A naming tenant B see none of B''s clients'
);
select is_empty(
    format('select * from tests.isolation_breaches(%L, %L)', tests.get('user_a'), tests.get('tenant_b')),
    'the api door, for staff of tenant A, reaches no row of tenant B in any tenant table, and nobody reaches any'
);
select is_empty(
    format(
        'select * from tests.door_breaches(%L, %L, %L)',
        tests.get('user_a'),
        tests.get('client_a'),
        tests.get('tenant_b')
    ),
    'no api view shows A any id of B; no function called as A with B''s ids returns, names or changes anything of B'
);

select tests.clear_authentication();
select is((select count(*) from api.clients)::int, 0, 'with no tenant set, no client is visible');
select is(
    (select count(*) from api.clients where tenant_id = tests.get('tenant_a'))::int, 0,
    'nor when the read names a tenant'
);
select throws_ok(
    $$select api.create_client('{"account_code": "X1", "name": "X", "channel": "retail"}')$$,
    'PT403',
    'You need the clients:write permission to do this.',
    'with no tenant or user set, creating a client is refused'
);
select throws_ok(
    'select count(*) from app.clients', '42501', null, 'and no request role reads a table directly'
);

select * from finish();
rollback;
