-- Derived state (seed 000 health, stage overdue, WIP), computed by views from the tasks themselves.
begin;
select plan(9);

select tests.remember('tenant', tests.create_tenant('dlv-health'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.remember('designer', tests.create_user(tests.get('tenant'), 'designer'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember('green', tests.delivery_project('Green'));
select tests.remember('yellow', tests.delivery_project('Yellow'));
select tests.remember('red', tests.delivery_project('Red'));
select tests.remember('stale', tests.delivery_project('Stale'));

-- Overdue = due before today and not done. Yellow: 1; red: 3. (Dates set as the superuser: only time moved.)
select tests.as_superuser();
update app.tasks set due_date = current_date + 10
where project_id in (tests.get('green'), tests.get('stale'));
update app.tasks set due_date = current_date + 10
where project_id in (tests.get('yellow'), tests.get('red'));
update app.tasks set due_date = current_date - 1
where project_id = tests.get('yellow') and title = 'Layout';
update app.tasks set due_date = current_date - 1
where project_id = tests.get('red') and title <> 'Print run';
select tests.authenticate_as(tests.get('manager'));

select is((select health from api.projects where id = tests.get('green')), 'green', 'no overdue task: green');
select tests.results_eq(
    format('select health, overdue_tasks from api.projects where id = %L', tests.get('yellow')),
    $$values ('yellow'::text, 1)$$, 'one overdue task: yellow'
);
select tests.results_eq(
    format('select health, overdue_tasks from api.projects where id = %L', tests.get('red')),
    $$values ('red'::text, 3)$$, 'three overdue tasks: red'
);
select tests.authenticate_as(tests.get('designer'));
select is(
    (select health from api.projects where id = tests.get('red')), 'red',
    'a designer, who sees none of these tasks, sees the same colour: health counts every task of the project'
);
select tests.authenticate_as(tests.get('manager'));
select api.update_task(tests.task(tests.get('red'), 'Layout'), '{"status": "cancelled"}');
select is((select health from api.projects where id = tests.get('red')), 'yellow', 'a done task is no longer overdue');

-- Stale: an open project whose tasks have not changed for more than 7 days is red.
select tests.as_superuser();
alter table app.tasks disable trigger trg_tasks_500_updated_at;
update app.tasks set updated_at = now() - interval '8 days'
where project_id = tests.get('stale');
update app.projects set created_at = now() - interval '30 days'
where id = tests.get('stale');
alter table app.tasks enable trigger trg_tasks_500_updated_at;
select tests.authenticate_as(tests.get('manager'));
select tests.results_eq(
    format('select health, stale, overdue_tasks from api.project_health where project_id = %L', tests.get('stale')),
    $$values ('red'::text, true, 0)$$, 'no task update for more than 7 days: red'
);
select api.update_task(tests.task(tests.get('stale'), 'Layout'), '{"priority": "high"}');
select is((select health from api.projects where id = tests.get('stale')), 'green', 'one update makes it fresh again');

-- Stage overdue and the WIP view.
select api.start_stage(tests.get('green'), tests.stage(tests.get('green'), 'design'));
select tests.as_superuser();
update app.stages set due_at = now() - interval '2 hours'
where id = tests.stage(tests.get('green'), 'design');
select tests.authenticate_as(tests.get('manager'));
select is(
    (select is_overdue from api.stages where id = tests.stage(tests.get('green'), 'design')), true,
    'an unfinished stage past its due time is overdue, before any sweep'
);
select tests.as_superuser();
select tests.set('tests.green_code', (select project_code from app.projects where id = tests.get('green')));
select tests.set('tests.bi_login', internal.create_db_login('bi', tests.get('tenant'), 'health', 'x'));
select tests.as_login(current_setting('tests.bi_login')::name);
select tests.results_eq(
    $$select project_code, stage_code, open_tasks from bi.wip where stage_status <> 'pending' order by 1$$,
    format($$values (%L::text, 'design'::text, 3::bigint)$$, current_setting('tests.green_code')),
    'WIP lists each open stage with its open tasks'
);

select * from finish();
rollback;
