-- Generated over the catalog: staff of tenant A cannot read, change, delete or create tenant B's rows in any
-- tenant table, and with no tenant set nothing is readable or writable.
begin;
select plan(4);

select tests.remember('tenant_a', tests.create_tenant('iso-a'));
select tests.remember('tenant_b', tests.create_tenant('iso-b'));
select tests.seed_tenant(tests.get('tenant_a'));
select tests.seed_tenant(tests.get('tenant_b'));
select tests.remember('user_a', tests.create_user(tests.get('tenant_a'), 'manager'));

select is_empty(
    format('select * from tests.isolation_breaches(%L, %L)', tests.get('user_a'), tests.get('tenant_b')),
    'staff of tenant A reach no row of tenant B in any tenant table, and nobody reaches any'
);

-- The same persona still sees its own tenant's rows: the policies isolate, they do not simply deny.
select tests.authenticate_as(tests.get('user_a'));
select is((select count(*) from api.clients)::int, 1, 'staff of tenant A see their own client');
select tests.clear_authentication();
select is((select count(*) from api.clients)::int, 0, 'with no tenant set, no client is visible');
select throws_ok(
    $$select api.create_client('{"account_code": "X1", "name": "X", "channel": "retail"}')$$,
    'PT403',
    'You need the clients:write permission to do this.',
    'with no tenant or user set, creating a client is refused'
);

select * from finish();
rollback;
