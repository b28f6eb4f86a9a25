-- A BI login reads the bi views of its own tenant only, whatever it sets, and writes nothing.
begin;
select plan(5);

select tests.remember('tenant_a', tests.create_tenant('bi-a'));
select tests.remember('tenant_b', tests.create_tenant('bi-b'));
select tests.seed_tenant(tests.get('tenant_a'));
select tests.seed_tenant(tests.get('tenant_b'));
select internal.create_bi_login(tests.get('tenant_a'), 'pgpsa_bi_test_a', 'bi-test-password') is not null;

set local role pgpsa_bi_test_a;
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
select throws_ok(
    $$insert into app.clients (tenant_id, account_code, name, channel) values (gen_random_uuid(), 'X', 'X', 'x')$$,
    '42501', null, 'the BI login cannot write'
);
select throws_ok('select * from api.clients', '42501', null, 'the BI login has no access to the team API');

select * from finish();
rollback;
