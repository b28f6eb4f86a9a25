-- The client and contract views of the fixture tenant (db/tests/helpers/fixtures_bi.sql), worked out by hand, read as
-- the tenant's BI login: clients, live assignments today (UTC), contract revenue by month and currency, and
-- assignments ending within 90 days (today and the 90th day included).
begin;
select plan(4);

select tests.remember('tenant', tests.bi_tenant('bi-contracts'));
select tests.set('tests.login', internal.create_db_login('bi', tests.get('tenant'), 'contracts', 'x'));
select tests.as_login(current_setting('tests.login')::name);

select tests.results_eq(
    'select account_code, name, channel, archived_at is not null as archived from bi.clients order by account_code',
    $$values ('ACME'::varchar, 'Acme'::varchar, 'trade'::varchar, false), ('BOLT', 'Bolt', 'retail', false),
        ('COVE', 'Cove', 'web', true)$$,
    'every client of the tenant, archived ones too'
);

select tests.results_eq(
    $$select client_name, contract_name, end_date - tests.bi_today() as days_to_end, status
      from bi.active_client_contracts order by contract_name$$,
    $$values
        -- Care plan ends in 30 days: expiring. Print care and Web care end in 91 and 90 days: active. Old plan ended
        -- yesterday (expired), Draft plan is not active, Ended plan was terminated: none of them is live.
        ('Acme'::varchar, 'Care plan', 30, 'expiring'),
        ('Bolt', 'Print care', 91, 'active'),
        ('Bolt', 'Web care', 90, 'active')$$,
    'live assignments today: active, expiring within 30 days, pending renewal'
);

select tests.results_eq(
    'select month, contract_name, currency, revenue from bi.contract_revenue',
    -- INV-CI (sent in bi_month(1), in pounds): Monitoring 100.00 + Support 1 x 90.00
    $$values (tests.bi_month(1), 'Care plan', 'GBP', 190.00)$$,
    'contract revenue by month and currency, from posted invoices'
);

select tests.results_eq(
    $$select contract_name, end_date - tests.bi_today() as days_to_end, days_left, renewal_state
      from bi.contract_expirations order by days_left$$,
    $$values
        -- Care plan in 30 days, Draft plan (not active, but not terminated) in 60, Web care on the 90th day; Print
        -- care (91 days) is beyond, Old plan past, Ended plan terminated
        ('Care plan', 30, 30, 'none'),
        ('Draft plan', 60, 60, 'none'),
        ('Web care', 90, 90, 'none')$$,
    'assignments ending today to 90 days from now, not terminated'
);

select * from finish();
rollback;
