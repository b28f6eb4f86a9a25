-- Job ticket scans (seed 003 §3.4), the scheduled sales sweeps (seed 003 §5.1: quote expiry with its 3-day
-- reminder, outstanding deposits; both idempotent), and the catalogue's permissions.
begin;
select plan(18);

select tests.remember('tenant', tests.create_tenant('sal-scan'));
select tests.remember('production', tests.create_user(tests.get('tenant'), 'production'));
select tests.remember('designer', tests.create_user(tests.get('tenant'), 'designer'));
select tests.remember('sales', tests.create_user(tests.get('tenant'), 'sales'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember('client', api.create_client('{"account_code": "SC1", "name": "Scanned", "channel": "trade"}'));
select tests.sales_template() is not null;
select tests.remember('order', (select order_id from api.accept_quote(tests.sales_quote(tests.get('client')))));
select tests.remember('ticket', (
    select t.id from api.job_tickets as t
    inner join api.orders as o on t.project_id = o.project_id where o.id = tests.get('order')
));
select tests.set('tests.code', (select ticket_code from api.job_tickets where id = tests.get('ticket')));
select tests.set('tests.qr', (select qr_payload from api.job_tickets where id = tests.get('ticket')));

-- Scans.
select tests.authenticate_as(tests.get('production'));
select tests.results_eq(
    format(
        $$select ticket_id, stage_id is not null from api.scan_job_ticket(%L, 'print')$$,
        current_setting('tests.code')
    ),
    format($$values (%L::uuid, true)$$, tests.get('ticket')),
    'production scans the ticket by its JOB- code: a checkpoint at the stage in progress'
);
select tests.results_eq(
    format(
        $$select last_station, last_scanned_at is not null from api.job_tickets where id = %L$$, tests.get('ticket')
    ),
    $$values ('print'::text, true)$$,
    'the ticket remembers its last scan and station'
);
select lives_ok(
    format($$select * from api.scan_job_ticket(%L, 'laminate')$$, current_setting('tests.qr')),
    'the QR payload PRJ:<project_code> scans too'
);
select tests.results_eq(
    format($$select station from api.job_ticket_scans where ticket_id = %L order by scanned_at$$, tests.get('ticket')),
    $$values ('print'::text), ('laminate')$$,
    'every scan is a checkpoint'
);
select throws_ok(
    $$select * from api.scan_job_ticket('JOB-999999', 'print')$$, 'PT404', 'No job ticket with code JOB-999999.',
    'an unknown code is not found'
);
select throws_ok(
    format($$select * from api.scan_job_ticket(%L, '  ')$$, current_setting('tests.code')), '23514', null,
    'a scan names its station'
);
select tests.authenticate_as(tests.get('designer'));
select throws_ok(
    format($$select * from api.scan_job_ticket(%L, 'print')$$, current_setting('tests.code')), 'PT403', null,
    'a designer does not scan tickets'
);

-- Quote expiry: one quote expires, one is reminded once, one is left alone.
select tests.authenticate_as(tests.get('manager'));
select tests.remember('old', tests.sales_quote(tests.get('client')));
select tests.remember('soon', tests.sales_quote(tests.get('client')));
select tests.remember('fresh', tests.sales_quote(tests.get('client')));
select tests.as_superuser();
select tests.set('session_replication_role', 'replica');
update app.quotes set valid_from = current_date - 30, valid_until = current_date - 1
where id = tests.get('old');
update app.quotes set valid_until = current_date + 2
where id = tests.get('soon');
select tests.set('session_replication_role', 'origin');
select tests.as_worker(tests.get('tenant'));
select ok(api.quote_expiry_sweep() >= 2, 'the sweep expires and reminds');
select tests.as_superuser();
select is(
    (select array_agg(
        status::text order by valid_until) from app.quotes where id in (
        tests.get('old'), tests.get('soon'),
        tests.get('fresh')
    )),
    array['expired', 'sent', 'sent'], 'only the quote past valid_until expires'
);
select tests.results_eq(
    format($$select tests.events('quote.expired', %L) as expired, tests.events('quote.expiring', %L) as soon,
        tests.events('quote.expiring', %L) as fresh$$, tests.get('old'), tests.get('soon'), tests.get('fresh')),
    $$values (1, 1, 0)$$,
    'quote.expired for the expired one, one quote.expiring reminder 3 days before, none for the fresh one'
);
select tests.as_worker(tests.get('tenant'));
select is(api.quote_expiry_sweep(), 0, 'a second run changes nothing');
select tests.as_superuser();
select is(tests.events('quote.expiring', tests.get('soon')), 1, 'the reminder is not repeated');

-- Outstanding deposits.
select tests.authenticate_as(tests.get('manager'));
select tests.results_eq(
    format($$select outstanding from api.outstanding_deposits where order_id = %L$$, tests.get('order')),
    $$values (486.00::numeric)$$,
    'an order whose deposit is unpaid is outstanding'
);
select tests.as_worker(tests.get('tenant'));
select ok(api.outstanding_deposits_sweep() >= 1, 'the deposit sweep reports it');
select is(api.outstanding_deposits_sweep(), 0, 'once a day');
select tests.as_superuser();
select is(tests.events('deposit.outstanding', tests.get('order')), 1, 'one deposit.outstanding event');

-- Catalogue permissions: sales reads products, only managers change them.
select tests.authenticate_as(tests.get('sales'));
select throws_ok(
    $$select api.create_product('{"sku": "X-1", "name": "X"}')$$, 'PT403', null, 'sales cannot change the catalogue'
);
select tests.authenticate_as(tests.get('manager'));
select throws_ok(
    $$select api.create_product('{"sku": "X 1", "name": "X"}')$$, '23514', null, 'a SKU has no spaces'
);

select * from finish();
rollback;
