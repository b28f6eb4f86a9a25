-- The billing KPIs of the fixture tenant (db/tests/helpers/fixtures_bi.sql), worked out by hand, read as the
-- tenant's BI login: AR aging (an invoice due today is not yet past due; one exactly 30 days late is in 1-30), DSO by
-- month and currency, and unbilled WIP, which must be exactly what api.generate_invoice_draft then bills.
begin;
select plan(6);

select tests.remember('tenant', tests.bi_tenant('bi-billing'));
select tests.remember('mia', (select u.id from app.users as u where u.email = 'mia@bi-billing.test'));
select tests.set('tests.login', internal.create_db_login('bi', tests.get('tenant'), 'billing', 'x'));
select tests.as_login(current_setting('tests.login')::name);

select tests.results_eq(
    $$select client_name, currency, open_invoices, not_yet_due, past_due_1_30, past_due_31_60, past_due_61_90,
             past_due_over_90, balance_due
      from bi.ar_aging order by client_name, currency$$,
    $$values
        -- Acme, dollars, by days past due today: INV-A (due in 10 days) 100.00 + INV-B (due today) 200.00 + INV-DI3
        -- (50.00, 20.00 paid, due in 20 days) 30.00 = 330.00 not yet due; INV-C (1 day) 10.00 + INV-D (30 days)
        -- 20.00 = 30.00; INV-E (31) 40.00 + INV-F (60) 80.00 = 120.00; INV-G (61) 160.00 + INV-H (90; 320.00 less
        -- 20.00 paid) 300.00 = 460.00; INV-J (91) 640.00. 10 invoices, 1580.00. INV-K and INV-I1 are paid, INV-V
        -- void, INV-CI (GBP) paid, the draft not posted.
        ('Acme'::varchar, 'USD', 10, 330.00, 30.00, 120.00, 460.00, 640.00, 1580.00),
        -- Bolt, euros: INV-E1 200.00 due 10 days ago
        ('Bolt', 'EUR', 1, 0.00, 200.00, 0.00, 0.00, 0.00, 200.00),
        -- Bolt, dollars: INV-L 100.00 + 8 % tax = 108.00, due in 5 days
        ('Bolt', 'USD', 1, 108.00, 0.00, 0.00, 0.00, 0.00, 108.00)$$,
    'AR aging per client and currency: due today is not yet due, 30 days late is 1-30, 31 is 31-60, 91 over 90'
);

-- Each month's days: the month's own; the current month's so far.
select tests.set('tests.dso', $$
    with d (back, days) as (
        select k, case k when 0 then tests.bi_today() - tests.bi_month(0) + 1
                         else tests.bi_month(k - 1) - tests.bi_month(k) end
        from generate_series(0, 4) as k
    )
    select tests.bi_month(x.back), x.currency, x.invoiced, x.receivables, d.days,
           round(x.receivables / nullif(x.invoiced, 0) * d.days, 2)
    from (values
        -- EUR: INV-E1 200.00 issued in month 1, unpaid: 200 / 200 x the month's days
        (1, 'EUR', 200.00, 200.00), (0, 'EUR', 0.00, 200.00),
        -- GBP: INV-CI 190.00 issued and paid in month 1: owed 0 at its end, DSO 0
        (1, 'GBP', 190.00, 0.00), (0, 'GBP', 0.00, 0.00),
        -- USD. Month 4: INV-A..J issued, 100 + 200 + 10 + 20 + 40 + 80 + 160 + 320 + 640 = 1570.00, all owed.
        (4, 'USD', 1570.00, 1570.00),
        -- Month 3: INV-K 50 + INV-V 999 + INV-I1 700 = 1749.00 issued; paid 20 (INV-H) + 50 (INV-K):
        -- 1570 + 1749 - 70 = 3249.00 owed
        (3, 'USD', 1749.00, 3249.00),
        -- Month 2: INV-L 108 + INV-I3 250 + INV-DI3 50 = 408.00 issued; INV-V voided (999), paid 250 (INV-I3) and
        -- 20 (INV-DI3): 3249 + 408 - 999 - 270 = 2388.00
        (2, 'USD', 408.00, 2388.00),
        -- Month 1: nothing issued (no DSO), INV-I1's 700 paid: 1688.00, the open balances of today
        (1, 'USD', 0.00, 1688.00), (0, 'USD', 0.00, 1688.00)
    ) as x (back, currency, invoiced, receivables)
    inner join d on x.back = d.back
    order by x.currency, x.back desc$$);
select tests.results_eq(
    'select month, currency, invoiced, receivables, days, dso_days from bi.days_sales_outstanding order by 2, 1',
    current_setting('tests.dso'),
    'DSO by month and currency: receivables at the month''s end / invoiced in it x its days'
);
-- INV-V was voided at 00:00 UTC on bi_month(2) + 1: at UTC-11 that is still month 3, but months are UTC.
select tests.set('timezone', 'Pacific/Pago_Pago');
select tests.results_eq(
    'select month, currency, invoiced, receivables, days, dso_days from bi.days_sales_outstanding order by 2, 1',
    current_setting('tests.dso'), 'the same in a session at UTC-11'
);
select tests.set('timezone', 'UTC');

select tests.set('tests.unbilled', $$values
    -- P1: Retouch (hourly, completed, 1.5 + 1 h at 100 = 250.00) and Proof (a milestone approval, approved,
    -- 100.00); Layout and Print run are on INV-I1; Pack is non_billable
    ('PRJ-P1', 'completed', 2, 2.50, 0.00, 100.00, 250.00, 350.00, 0.00),
    -- P2: Print run (fixed, completed, 500.00); Layout is on the draft (60.00); Sign-off is a milestone only
    -- completed (not approved); Ship is cancelled
    ('PRJ-P2', 'completed', 1, 0.00, 500.00, 0.00, 0.00, 500.00, 60.00),
    -- P3: Design hours (completed): 2 h at 50 = 100.00; its hour against Care plan's line is the contract's to
    -- bill; Idle hours has no time; Print is todo
    ('PRJ-P3', 'active', 1, 2.00, 0.00, 0.00, 100.00, 100.00, 0.00),
    -- P5: Artwork (fixed, approved, 200.00); Hours is in progress, Mount in review, Internal non_billable
    ('PRJ-P5', 'active', 1, 0.00, 200.00, 0.00, 0.00, 200.00, 0.00)$$);
select tests.results_eq(
    $$select project_code, status, ready_tasks, ready_hours, fixed_value, milestone_value, hourly_value,
             unbilled_value, drafted_value
      from bi.unbilled_wip order by project_code$$,
    current_setting('tests.unbilled'),
    'unbilled WIP: what a draft would bill now by seed 000''s rules, per project, beside what is drafted'
);

-- The rule is the draft's: drafting every project bills exactly the unbilled value, and leaves nothing behind.
select tests.authenticate_as(tests.get('mia'));
select api.generate_invoice_draft(p.id) from api.projects as p
where p.project_code in ('PRJ-P1', 'PRJ-P2', 'PRJ-P3', 'PRJ-P5');
select throws_ok(
    $$select api.generate_invoice_draft((select p.id from api.projects as p where p.project_code = 'PRJ-P6'))$$,
    'PT409', 'Nothing to invoice on project PRJ-P6.',
    'and a project bi.unbilled_wip does not list has nothing the draft would bill'
);
select tests.as_login(current_setting('tests.login')::name);
select tests.results_eq(
    $$select project_code, ready_tasks, unbilled_value, drafted_value from bi.unbilled_wip order by project_code$$,
    $$values
        -- each draft billed the project's unbilled value: 0.00 + 350.00, 60.00 + 500.00, 0.00 + 100.00, 200.00
        ('PRJ-P1', 0, 0.00, 350.00),
        ('PRJ-P2', 0, 0.00, 560.00),
        ('PRJ-P3', 0, 0.00, 100.00),
        ('PRJ-P5', 0, 0.00, 200.00)$$,
    'api.generate_invoice_draft billed exactly what bi.unbilled_wip listed, project by project'
);

select * from finish();
rollback;
