-- A BI login reads the bi views of its own tenant only, whatever it sets, reads nothing outside bi and writes
-- nothing (persona: BI login; and the same login name pattern made by hand for another tenant is still bound).
begin;
select plan(8);

select tests.remember('tenant_a', tests.create_tenant('bi-a'));
select tests.remember('tenant_b', tests.create_tenant('bi-b'));
select tests.seed_tenant(tests.get('tenant_a'));
select tests.seed_tenant(tests.get('tenant_b'));
select tests.set(
    'tests.bi_login', internal.create_db_login('bi', tests.get('tenant_a'), 'metabase', 'bi-test-password')
);

select tests.as_login(current_setting('tests.bi_login')::name);
select is((select count(*)::int from bi.clients), 1, 'the BI login sees its tenant''s clients');
select tests.set('pgpsa.tenant_id', tests.get('tenant_b')::text);
select is(
    (select count(*)::int from bi.clients), 1,
    'setting another tenant in the session changes nothing'
);
select is(
    (select array_agg(distinct c.name) from bi.clients as c), array['Seed client'::varchar],
    'it sees tenant A''s client only'
);
select throws_ok('select count(*) from app.clients', '42501', null, 'the BI login reads no table');
select throws_ok(
    $$insert into app.clients (tenant_id, account_code, name, channel) values (gen_random_uuid(), 'X', 'X', 'x')$$,
    '42501', null, 'the BI login cannot write'
);
select throws_ok('select * from api.clients', '42501', null, 'the BI login has no access to the team API');
select throws_ok('set role pgpsa_staff', '42501', null, 'nor can it become a request role of the service');
select throws_ok(
    format('select internal.create_db_login(%L, %L, %L, %L)', 'bi', tests.get('tenant_b'), 'x', 'y'),
    '42501', null, 'nor make itself a login of another tenant'
);

select * from finish();
rollback;
