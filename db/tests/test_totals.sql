-- The totals the database keeps (migration 0025, db/functions/0995_totals.sql) equal the rows they sum after every
-- kind of write staff make through the api: time logged, changed and deleted; a task re-typed and re-rated; a
-- labor rate added and a role changed; a draft generated, sent, paid, unapplied; an invoice voided; a task
-- deleted. After each step the kept totals are compared with internal.rebuild_totals' recomputation. Nobody writes
-- a total: not staff, not the owner outside the triggers; and another tenant's BI login reads none of them.
begin;
select plan(13);

-- The tenant's totals as lines of text (rows left at zero by deletions aside, numbers without trailing zeros).
create function pg_temp.totals_lines() returns setof text
language sql stable
as $$
    select 'task ' || concat_ws(' ', x.task_id, x.project_id, x.billing_type, x.hourly_rate, trim_scale(x.hours),
        trim_scale(x.uncontracted_hours), trim_scale(x.unrated_hours), trim_scale(x.labor_cost),
        trim_scale(x.billed_amount))
    from app.task_totals as x
    where x.tenant_id = tests.get('tenant') and (x.hours <> 0 or x.billed_amount <> 0)
    union all
    select 'project ' || concat_ws(' ', x.project_id, trim_scale(x.hours), trim_scale(x.unrated_hours),
        trim_scale(x.labor_cost), trim_scale(x.realized_hours), trim_scale(x.standard_value),
        trim_scale(x.realized_billed))
    from app.project_totals as x
    where x.tenant_id = tests.get('tenant') and (x.hours <> 0 or x.realized_billed <> 0)
    union all
    select 'week ' || concat_ws(' ', w.user_id, w.week, trim_scale(w.hours), trim_scale(w.billable_hours))
    from app.user_week_hours as w
    where w.tenant_id = tests.get('tenant') and w.hours <> 0
    union all
    select 'invoice ' || concat_ws(' ', b.invoice_id, trim_scale(b.total), trim_scale(b.paid))
    from app.invoice_balances as b
    where b.tenant_id = tests.get('tenant') and (b.total <> 0 or b.paid <> 0)
$$;

-- The totals kept now, beside what recomputing them from the rows gives: the lines only one of them has.
create function pg_temp.totals_mismatch() returns setof text
language plpgsql volatile
as $$
declare
    kept text[];
    rebuilt text[];
begin
    perform tests.as_superuser();
    perform set_config('pgpsa.tenant_id', tests.get('tenant')::text, true);
    kept := array(select pg_temp.totals_lines());
    perform internal.rebuild_totals();
    rebuilt := array(select pg_temp.totals_lines());
    perform tests.authenticate_as(tests.get('manager'));
    return query
    select 'kept, not recomputed: ' || k from unnest(kept) as k where k <> all(rebuilt)
    union all
    select 'recomputed, not kept: ' || r from unnest(rebuilt) as r where r <> all(kept);
end;
$$;

select tests.remember('tenant', tests.create_tenant('totals'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.remember('designer', tests.create_user(tests.get('tenant'), 'designer'));
select tests.as_superuser();
insert into app.labor_rates (tenant_id, role, hourly_rate, effective_from)
values (tests.get('tenant'), 'manager', 45.50, '2026-01-01');
select tests.authenticate_as(tests.get('manager'));
select tests.remember('client', api.create_client('{"account_code": "TOT1", "name": "Totals", "channel": "trade"}'));
select tests.remember('project', tests.delivery_project());
select tests.as_superuser();
update app.projects set client_id = tests.get('client')
where id = tests.get('project');
select tests.authenticate_as(tests.get('manager'));
select tests.remember('layout', tests.task(tests.get('project'), 'Layout'));
select tests.remember('project2', tests.delivery_project('Autumn banners'));
select tests.remember('layout2', tests.task(tests.get('project2'), 'Layout'));
select api.log_time(tests.get('layout2'), '{"hours": 1, "work_date": "2026-11-03"}');

-- Time: three entries (two weeks, 0.75 h costing 34.125 -> 34.13), one changed, one deleted.
select tests.remember('e1', api.log_time(tests.get('layout'), '{"hours": 1.5, "work_date": "2026-11-02"}'));
select tests.remember('e2', api.log_time(tests.get('layout'), '{"hours": 0.75, "work_date": "2026-11-03"}'));
select tests.remember('e3', api.log_time(tests.get('layout'), '{"hours": 2, "work_date": "2026-11-10"}'));
select is_empty('select * from pg_temp.totals_mismatch()', 'time logged: the task''s and the weeks'' totals add up');
select api.update_time_entry(tests.get('e1'), '{"hours": 2.25, "work_date": "2026-11-16"}');
select api.delete_time_entry(tests.get('e3'));
select is_empty('select * from pg_temp.totals_mismatch()', 'time changed and deleted: the totals follow');
select tests.as_superuser();
select is(
    (select (hours, labor_cost) from app.task_totals where task_id = tests.get('layout'))::text,
    '(3.00,136.51)',
    'Layout: 2.25 h + 0.75 h at 45.50: 102.375 -> 102.38 and 34.125 -> 34.13, each entry rounded'
);
select tests.authenticate_as(tests.get('manager'));

-- Re-typed (its hours leave the billable ones), re-rated, typed back.
select api.update_task(tests.get('layout'), '{"billing_type": "fixed", "fixed_amount": 200}');
select api.update_task(tests.get('layout'), '{"billing_type": "hourly", "hourly_rate": 95}');
select is_empty('select * from pg_temp.totals_mismatch()', 'a task re-typed and re-rated: the totals follow');
-- A DBA's own change at psql (no request tenant) is followed as well.
select tests.as_superuser();
update app.tasks set hourly_rate = 90
where id = tests.get('layout');
select tests.authenticate_as(tests.get('manager'));
select is_empty('select * from pg_temp.totals_mismatch()', 'a task re-rated at psql by a superuser: the totals follow');

-- Labor rates and roles: a new rate from November, then the manager made a designer (no rate: unrated hours).
select tests.as_superuser();
insert into app.labor_rates (tenant_id, role, hourly_rate, effective_from)
values (tests.get('tenant'), 'manager', 60, '2026-11-01');
select tests.authenticate_as(tests.get('manager'));
select is_empty('select * from pg_temp.totals_mismatch()', 'a new labor rate re-costs the time it covers');
select tests.as_superuser();
update app.users set role = 'designer'
where id = tests.get('manager');
select is(
    (select (labor_cost, unrated_hours) from app.task_totals where task_id = tests.get('layout'))::text,
    '(0,3.00)',
    'the worker''s role now has no rate: the hours cost nothing and are unrated'
);
update app.users set role = 'manager'
where id = tests.get('manager');
select tests.authenticate_as(tests.get('manager'));

-- Billing: the draft claims the task, sending posts it (billed), a payment, its unapplying, then a void.
select api.update_task(tests.get('layout'), '{"status": "in_progress"}');
select api.update_task(tests.get('layout'), '{"status": "completed"}');
select tests.remember('draft', api.generate_invoice_draft(tests.get('project')));
select api.send_invoice(tests.get('draft'));
select tests.remember('payment', api.record_payment(jsonb_build_object(
    'client_id', tests.get('client'), 'method', 'ach', 'amount', 50
)));
select api.apply_payment(tests.get('payment'), jsonb_build_array(
    jsonb_build_object('invoice_id', tests.get('draft'), 'amount', 50)
));
select is_empty('select * from pg_temp.totals_mismatch()', 'a posted invoice bills its tasks; payments its balance');
select tests.as_superuser();
select tests.remember(
    'application', (select a.id from app.payment_applications as a where a.invoice_id = tests.get('draft'))
);
select tests.authenticate_as(tests.get('manager'));
select api.unapply_payment(tests.get('application'));
select api.void_invoice(tests.get('draft'), 'Wrong client');
select is_empty('select * from pg_temp.totals_mismatch()', 'unapplied and voided: billed and paid are taken back');

-- Deleting a task takes its time and totals; the week loses the hours.
select tests.as_superuser();
delete from app.tasks
where id = tests.get('layout2');
select tests.authenticate_as(tests.get('manager'));
select is_empty('select * from pg_temp.totals_mismatch()', 'a task deleted with its time: the weeks follow');

-- Nobody writes a total: staff have no way to name the table, the owner is refused outside the triggers.
select throws_ok(
    format(
        $$insert into app.user_week_hours (tenant_id, user_id, week, hours) values (%L, %L, '2026-11-02', 40)$$,
        tests.get('tenant'), tests.get('manager')
    ),
    '42501', null, 'staff cannot write a total'
);
select tests.as_superuser();
select throws_ok(
    format($$update app.user_week_hours set hours = 40 where tenant_id = %L$$, tests.get('tenant')),
    'PT403', 'user_week_hours is kept by the database from the rows it sums: it cannot be written.',
    'not even the owner or a superuser writes a total outside its triggers'
);

-- Another tenant's BI login sees none of this tenant's totals through the bi views.
select tests.remember('other', tests.create_tenant('totals-other'));
select tests.set('tests.login', internal.create_db_login('bi', tests.get('other'), 'totals', 'x'));
select tests.as_login(current_setting('tests.login')::name);
select is(
    (select count(*) from bi.utilization) + (select count(*) from bi.profitability)
    + (select count(*) from bi.days_sales_outstanding),
    0::bigint,
    'another tenant''s BI login reads none of these totals'
);

select * from finish();
rollback;
