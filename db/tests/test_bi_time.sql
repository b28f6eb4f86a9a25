-- Time KPIs of the fixture tenant (db/tests/helpers/fixtures_bi.sql), worked out by hand, read as the tenant's BI
-- login: utilization per person and week against their weekly capacity (every week from their first, empty weeks
-- too), realization per project at each task's hourly rate.
begin;
select plan(3);

select tests.remember('tenant', tests.bi_tenant('bi-time'));
select tests.set('tests.login', internal.create_db_login('bi', tests.get('tenant'), 'time', 'x'));
select tests.as_login(current_setting('tests.login')::name);

select tests.results_eq(
    $$select user_name, role, week, capacity_hours, hours_logged, billable_hours, utilization_pct
      from bi.utilization order by user_name, week$$,
    $$values
        -- Dee, 40 h a week: 3 h on Layout (week 3); nothing in week 2; 2 h on Layout + 1 h on P2's Layout (week
        -- 1); 2 h + 1 h (against Care plan's line: billable all the same) on Design hours (this week). 3 / 40 = 7.50 %
        ('Dee Designer', 'designer', tests.bi_week(3), 40.00, 3.00, 3.00, 7.50),
        ('Dee Designer', 'designer', tests.bi_week(2), 40.00, 0.00, 0.00, 0.00),
        ('Dee Designer', 'designer', tests.bi_week(1), 40.00, 3.00, 3.00, 7.50),
        ('Dee Designer', 'designer', tests.bi_week(0), 40.00, 3.00, 3.00, 7.50),
        -- Mia, 40 h: 1 h on Retouch in week 2 (2.50 %), then weeks without time up to this one
        ('Mia Manager', 'manager', tests.bi_week(2), 40.00, 1.00, 1.00, 2.50),
        ('Mia Manager', 'manager', tests.bi_week(1), 40.00, 0.00, 0.00, 0.00),
        ('Mia Manager', 'manager', tests.bi_week(0), 40.00, 0.00, 0.00, 0.00),
        -- Pat, 20 h: 1.5 h (7.50 %); 1.25 h (6.25 %); 0.5 h on Internal, re-typed non_billable: logged, not billable
        ('Pat Production', 'production', tests.bi_week(2), 20.00, 1.50, 1.50, 7.50),
        ('Pat Production', 'production', tests.bi_week(1), 20.00, 1.25, 1.25, 6.25),
        ('Pat Production', 'production', tests.bi_week(0), 20.00, 0.50, 0.00, 0.00),
        -- Quinn, 40 h, disabled in week 2: 2 h in week 3 (5.00 %), then week 2, and no week after
        ('Quinn QC', 'qc', tests.bi_week(3), 40.00, 2.00, 2.00, 5.00),
        ('Quinn QC', 'qc', tests.bi_week(2), 40.00, 0.00, 0.00, 0.00)$$,
    'utilization: billable hours / weekly capacity, per person and Monday week, from their first week to this one'
);

select tests.results_eq(
    $$select project_code, hours, standard_value, billed_amount, realization_pct from bi.realization
      order by project_code$$,
    $$values
        -- P1: Layout 3 + 2 = 5 h at 80 = 400.00 and Retouch 1.5 + 1 = 2.5 h at 100 = 250.00: 7.50 h worth 650.00;
        -- INV-I1 (paid) billed Layout 400.00 (its fixed Print run is not hourly work): 400 / 650 = 61.54 %
        ('PRJ-P1', 7.50, 650.00, 400.00, 61.54),
        -- P2: Layout 1 h at 60, on a draft only (not posted): 0.00 billed
        ('PRJ-P2', 1.00, 60.00, 0.00, 0.00),
        -- P3: Design hours 2 h at 50 = 100.00; its hour against Care plan's line is the contract's, not counted
        ('PRJ-P3', 2.00, 100.00, 0.00, 0.00),
        -- P5: Hours 1.25 + 2 = 3.25 h at 90 = 292.50; Internal's 0.5 h is not on an hourly task
        ('PRJ-P5', 3.25, 292.50, 0.00, 0.00)$$,
    'realization: billed on posted invoices / hours x the task''s hourly rate, per project'
);

-- Capacity is the person's setting: Dee at 30 h makes her 3 h weeks 10 %.
select tests.as_superuser();
update app.users set weekly_capacity_hours = 30
where tenant_id = tests.get('tenant') and full_name = 'Dee Designer';
select tests.as_login(current_setting('tests.login')::name);
select tests.results_eq(
    $$select week, capacity_hours, utilization_pct from bi.utilization where user_name = 'Dee Designer' order by week$$,
    $$values (tests.bi_week(3), 30.00, 10.00), (tests.bi_week(2), 30.00, 0.00), (tests.bi_week(1), 30.00, 10.00),
        (tests.bi_week(0), 30.00, 10.00)$$,
    'a person''s weekly capacity is their own setting'
);

select * from finish();
rollback;
