-- Tasks: the status lifecycle, a document task needs an attachment, every change is logged, designers see and
-- change only the tasks assigned to them.
begin;
select plan(19);

select tests.remember('tenant', tests.create_tenant('dlv-task'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.remember('designer', tests.create_user(tests.get('tenant'), 'designer'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember('project', tests.delivery_project());
select tests.remember('layout', tests.task(tests.get('project'), 'Layout'));
select tests.remember('brief', tests.task(tests.get('project'), 'Brief'));

-- Lifecycle.
select lives_ok(
    format($$select api.update_task(%L, '{"status": "in_progress"}')$$, tests.get('layout')),
    'todo to in_progress is a step of the lifecycle'
);
select isnt((select started_at from api.tasks where id = tests.get('layout')), null, 'starting stamps started_at');
select throws_ok(
    format($$select api.update_task(%L, '{"status": "approved"}')$$, tests.get('brief')),
    'PT409', 'A task cannot go from todo to approved.', 'todo cannot jump to approved'
);
select throws_ok(
    format($$select api.update_task(%L, '{"status": "finished"}')$$, tests.get('brief')),
    '23514', 'status: value for domain app.task_status violates check constraint "check_task_status"',
    'an unknown status is refused by its vocabulary (app.task_status)'
);

-- A document task completes only with an available attachment.
select api.update_task(tests.get('brief'), '{"status": "in_progress"}');
select throws_ok(
    format($$select api.update_task(%L, '{"status": "completed"}')$$, tests.get('brief')),
    'PT422', 'Document task "Brief" cannot be completed without an attachment.',
    'a document task without an attachment cannot complete'
);
select tests.attach_file(tests.get('brief'));
select lives_ok(
    format($$select api.update_task(%L, '{"status": "completed"}')$$, tests.get('brief')),
    'with a confirmed attachment it completes'
);

-- The activity log.
select tests.results_eq(
    format(
        $$select action, from_status, to_status from api.task_activity where task_id = %L order by id$$,
        tests.get('brief')
    ),
    $$values ('created'::text, null::text, 'todo'::text), ('status_changed', 'todo', 'in_progress'),
             ('status_changed', 'in_progress', 'completed')$$,
    'every change to a task is in its activity log, refused ones not'
);
select throws_ok(
    format('delete from app.task_activity_logs where task_id = %L', tests.get('brief')),
    '42501', null, 'staff cannot delete activity'
);
select throws_ok(
    format(
        $$insert into app.task_activity_logs (tenant_id, task_id, action) values (%L, %L, 'status_changed')$$,
        tests.get('tenant'), tests.get('brief')
    ),
    '42501', null, 'staff cannot write a task''s history themselves: only the task''s trigger does'
);
select tests.as_owner(tests.get('tenant'));
select throws_ok(
    format($$update app.task_activity_logs set to_status = 'approved' where task_id = %L$$, tests.get('brief')),
    'PT403', 'task_activity_logs is an append-only log: its rows cannot be changed or deleted.',
    'not even the owner rewrites a task''s history'
);
select throws_ok(
    format('delete from app.task_activity_logs where task_id = %L', tests.get('brief')),
    'PT403', null, 'nor deletes it'
);
select tests.authenticate_as(tests.get('manager'));
select is(
    (
        select count(*)::int
        from api.domain_events where
            event_type = 'task.status_changed'
            and aggregate_id = tests.get('brief')
    ),
    2, 'each status change records a domain event'
);

-- Designers: only their own tasks.
select api.update_task(
    tests.get('layout'), jsonb_build_object('assignee_ids', jsonb_build_array(tests.get('designer')))
);
select is(
    (select assignee_ids from api.tasks where id = tests.get('layout')), array[tests.get('designer')],
    'the assignee set is mirrored on the task'
);
select tests.authenticate_as(tests.get('designer'));
select tests.results_eq(
    $$select title from api.tasks$$, $$values ('Layout'::text)$$,
    'a designer sees only the tasks assigned to them'
);
select lives_ok(
    format($$select api.update_task(%L, '{"priority": "high"}')$$, tests.get('layout')),
    'and changes their own task'
);
select throws_ok(
    format($$select api.update_task(%L, '{"priority": "high"}')$$, tests.get('brief')),
    'PT404', null, 'another''s task is not there for them'
);
select tests.authenticate_as(tests.get('manager'));
select is(
    (select priority from api.tasks where id = tests.get('brief')), 'normal', 'and nothing changed on it'
);

-- The log follows the task it derives from: deleting the task (the owner, here) takes its log along.
select tests.as_owner(tests.get('tenant'));
select lives_ok(
    format('delete from app.tasks where id = %L', tests.get('layout')),
    'a deleted task takes its log with it (the deletion itself is audited with the whole row)'
);
select is(
    (select count(*)::int from app.task_activity_logs where task_id = tests.get('layout')), 0,
    'and no log row of it is left'
);

select * from finish();
rollback;
