-- The sales KPIs of the fixture tenant (db/tests/helpers/fixtures_bi.sql), worked out by hand, read as the tenant's
-- BI login: lead conversion by month (UTC, empty months too), the quote pipeline, deposits outstanding, and
-- profitability per job type with each part summed on its own.
begin;
select plan(6);

select tests.remember('tenant', tests.bi_tenant('bi-sales'));
select tests.set('tests.login', internal.create_db_login('bi', tests.get('tenant'), 'sales', 'x'));
select tests.as_login(current_setting('tests.login')::name);

select tests.set('tests.leads', $$values
    -- month 3: L1 (its quote Q-1 became SO-1; closed_won) and L2 (closed_lost, made in the month's last second):
    -- 2 leads, 1 converted, 1 won; 1 / 2 = 50.00 %
    (tests.bi_month(3), 2, 1, 1, 50.00),
    -- month 2: no lead, still a row, with no rate
    (tests.bi_month(2), 0, 0, 0, null),
    -- month 1: L3 (made at the month's first instant; Q-3 became SO-2; closed_won), L4 (closed_won but no order),
    -- L5 (Q-5 became SO-4, cancelled: not converted): 3 leads, 1 converted, 2 won; 1 / 3 = 33.33 %
    (tests.bi_month(1), 3, 1, 2, 33.33),
    -- this month: L6 (new): 1 lead, none converted, 0.00 %
    (tests.bi_month(0), 1, 0, 0, 0.00)$$);
select tests.results_eq(
    'select month, leads, converted_leads, won_leads, conversion_pct from bi.lead_conversion order by month',
    current_setting('tests.leads'),
    'lead conversion by month: a lead converts when an order (not cancelled) came from its quote; empty months count'
);
-- Months are UTC months whatever the session's time zone: at +14 h L2 (last second of month 3) would fall in month
-- 2, at -11 h L3 (first instant of month 1) in month 2.
select tests.set('timezone', 'Pacific/Kiritimati');
select tests.results_eq(
    'select month, leads, converted_leads, won_leads, conversion_pct from bi.lead_conversion order by month',
    current_setting('tests.leads'), 'the same months in a session at UTC+14'
);
select tests.set('timezone', 'Pacific/Pago_Pago');
select tests.results_eq(
    'select month, leads, converted_leads, won_leads, conversion_pct from bi.lead_conversion order by month',
    current_setting('tests.leads'), 'and at UTC-11'
);
select tests.set('timezone', 'UTC');

select tests.results_eq(
    $$select month, status, currency, quotes, net_amount, total_amount from bi.quote_pipeline
      order by month, status, currency$$,
    $$values
        -- Q-1: 10 x 100 less 10 % = 900.00 (tax 8 %: 72.00) + 2 x 50 = 100.00: net 1000.00, with tax 1072.00
        (tests.bi_month(3), 'accepted', 'USD', 1, 1000.00, 1072.00),
        -- Q-3: 500.00 (tax 10 %: 50.00) + Q-5: 1000.00: net 1500.00, with tax 1550.00
        (tests.bi_month(1), 'accepted', 'USD', 2, 1500.00, 1550.00),
        -- Q-9: 2 x 75
        (tests.bi_month(1), 'rejected', 'USD', 1, 150.00, 150.00),
        -- Q-10, in euros: never added to dollars
        (tests.bi_month(1), 'sent', 'EUR', 1, 200.00, 200.00),
        -- Q-7: 3 x 33.33 = 99.99; tax 8.25 % = 8.249175, 8.25 on the line: 108.24
        (tests.bi_month(1), 'sent', 'USD', 1, 99.99, 108.24),
        -- Q-8: 1 x 10
        (tests.bi_month(0), 'draft', 'USD', 1, 10.00, 10.00)$$,
    'the quote pipeline by month created, status and currency, net and with tax'
);

select tests.results_eq(
    $$select order_number, client_name, status, currency, deposit_required, deposit_received, deposit_outstanding,
             ordered_on, days_outstanding
      from bi.deposits_outstanding order by order_number$$,
    $$values
        -- SO-3 asks 50.00; its deposit invoice INV-DI3 has 20.00 applied: 30.00 outstanding since bi_month(2) + 3
        ('SO-3', 'Acme'::varchar, 'in_production', 'USD', 50.00, 20.00, 30.00, tests.bi_month(2) + 3,
         tests.bi_today() - (tests.bi_month(2) + 3)),
        -- SO-5 asks 100.00 (EUR), made 3 days ago, nothing received. SO-1, SO-2, SO-6 are completed, SO-4
        -- cancelled: not listed
        ('SO-5', 'Bolt', 'pending', 'EUR', 100.00, 0.00, 100.00, tests.bi_today() - 3, 3)$$,
    'deposits outstanding: open orders whose deposit invoices have less applied than the deposit asks'
);

select tests.results_eq(
    $$select project_type, currency, orders, revenue, material_cost, labor_hours, unrated_hours, labor_cost, profit,
             margin_pct
      from bi.profitability order by project_type, currency$$,
    $$values
        -- SO-5 (EUR): revenue 200.00, no project yet: no cost; margin 100.00 %
        ('banner', 'EUR', 1, 200.00, 0.00, 0.00, 0.00, 0.00, 200.00, 100.00),
        -- SO-1 + SO-2. Revenue: 10 x 100 less 10 % = 900.00 + 2 x 50 = 100.00 + 500.00 = 1500.00 (before tax).
        -- Material: 4 VINYL x 2.50 = 10.00 + 1.5 x 2.50 = 3.75 = 13.75 (the receipt and the consumption
        -- against no line or the cancelled SO-4 do not count).
        -- Labor on P1: Dee 3 h at 50 (before her rate went to 60) = 150.00, Dee 2 h on the day it did, at 60 =
        -- 120.00, Pat 1.5 h at 30 = 45.00, Mia 1 h (a manager: no rate) = 0.00, unrated; on P2: Dee 1 h at 60 =
        -- 60.00. 8.50 h, 1.00 unrated, 375.00.
        -- Profit 1500.00 - 13.75 - 375.00 = 1111.25; margin 1111.25 / 1500.00 = 74.083 %, 74.08.
        -- The seed's joins would count each order line once per consumption and task: SO-1's 1000.00 three times.
        ('banner', 'USD', 2, 1500.00, 13.75, 8.50, 1.00, 375.00, 1111.25, 74.08),
        -- SO-3 + SO-6 (SO-4 is cancelled). Revenue 3 x 33.33 = 99.99 + 250.00 = 349.99. Material 0.333 INK x
        -- 10.01 = 3.33333, 3.33. Labor on P3: Dee 2 h + 1 h against Care plan's hourly line (a cost all the same)
        -- at 60 = 180.00. Profit 349.99 - 3.33 - 180.00 = 166.66; margin 166.66 / 349.99 = 47.6185 %, 47.62.
        ('sign', 'USD', 2, 349.99, 3.33, 3.00, 0.00, 180.00, 166.66, 47.62)$$,
    'profitability per job type and currency: revenue, material and labor each summed per order, then joined'
);

select * from finish();
rollback;
