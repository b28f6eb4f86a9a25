-- What hangs off a task follows the task's visibility (a designer logs time, comments and attaches only on tasks
-- assigned to them, and a refusal names no task they cannot see); how work is billed needs billing:write; a
-- download needs files:read, and its log row is part of that read. Personas: manager, designer, finance, sales,
-- production of one tenant.
begin;
select plan(21);

select tests.remember('tenant', tests.create_tenant('dlv-vis'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.remember('designer', tests.create_user(tests.get('tenant'), 'designer'));
select tests.remember('finance', tests.create_user(tests.get('tenant'), 'finance'));
select tests.remember('sales', tests.create_user(tests.get('tenant'), 'sales'));
select tests.remember('production', tests.create_user(tests.get('tenant'), 'production'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember('client', api.create_client('{"account_code": "VIS", "name": "Visible", "channel": "trade"}'));
select tests.remember('project', tests.delivery_project());
select tests.as_superuser();
update app.projects set client_id = tests.get('client')
where id = tests.get('project');
select tests.authenticate_as(tests.get('manager'));
select tests.remember('mine', tests.task(tests.get('project'), 'Layout'));
select tests.remember('hidden', api.create_task(jsonb_build_object(
    'project_stage_id', tests.stage(tests.get('project'), 'design'), 'title', 'Hidden billed work',
    'billing_type', 'hourly', 'hourly_rate', 90
)));
select api.update_task(tests.get('mine'), jsonb_build_object('assignee_ids', jsonb_build_array(tests.get('designer'))));
select api.log_time(tests.get('hidden'), '{"hours": 2}');
select api.add_comment(tests.get('hidden'), '{"body": "Internal: margin is thin"}');
select api.update_task(tests.get('hidden'), '{"status": "in_progress"}');
select api.update_task(tests.get('hidden'), '{"status": "completed"}');
select tests.remember('draft', api.generate_invoice_draft(tests.get('project')));

-- The designer: their own task works, another's is not there, in the same words as a task that does not exist.
select tests.authenticate_as(tests.get('designer'));
select lives_ok(
    format($$select api.log_time(%L, '{"hours": 1}')$$, tests.get('mine')), 'a designer logs time on their own task'
);
select lives_ok(
    format($$select api.add_comment(%L, '{"body": "Draft up"}')$$, tests.get('mine')), 'and comments on it'
);
select throws_ok(
    format($$select api.log_time(%L, '{"hours": 1}')$$, tests.get('hidden')),
    'PT404', format('No task with id %s.', tests.get('hidden')),
    'time on a task not assigned to them is refused as if the task did not exist (not "is on an invoice")'
);
select throws_ok(
    format($$select api.add_comment(%L, '{"body": "Sneaky"}')$$, tests.get('hidden')),
    'PT404', format('No task with id %s.', tests.get('hidden')), 'so is a comment'
);
select throws_ok(
    format(
        $$select * from api.create_file(%L, '{"task_id": "%s", "file_name": "x.pdf", "size": 10}')$$,
        tests.get('project'), tests.get('hidden')
    ),
    'PT404', format('No task with id %s.', tests.get('hidden')), 'and an attachment'
);
select throws_ok(
    format($$select api.log_time(%L, '{"hours": 1}')$$, gen_random_uuid()),
    'PT404', null, 'a task that does not exist answers the same'
);
select is(
    (select count(*)::int from api.time_entries where task_id = tests.get('hidden')), 0,
    'the hidden task''s time is not listed to them'
);
select is(
    (select count(*)::int from api.comments where task_id = tests.get('hidden')), 0, 'nor its comments'
);
select tests.authenticate_as(tests.get('manager'));
select is(
    (select sum(quantity) from api.invoice_lines where invoice_id = tests.get('draft')), 2.00,
    'and nothing a designer tried was billed to the client'
);

-- How work is billed: billing:write (finance, managers), whoever else may change the task.
select tests.authenticate_as(tests.get('designer'));
select throws_ok(
    format($$select api.update_task(%L, '{"hourly_rate": 9999}')$$, tests.get('mine')),
    'PT403', null, 'a designer cannot set the hourly rate of their own task'
);
select throws_ok(
    format($$select api.update_task(%L, '{"billing_type": "fixed", "fixed_amount": 5000}')$$, tests.get('mine')),
    'PT403', null, 'nor its billing type or fixed amount'
);
select lives_ok(
    format($$select api.update_task(%L, '{"priority": "high"}')$$, tests.get('mine')),
    'while the rest of the task is still theirs to change'
);
select tests.authenticate_as(tests.get('production'));
select throws_ok(
    format($$select api.update_task(%L, '{"hourly_rate": 1}')$$, tests.get('mine')),
    'PT403', null, 'production cannot either'
);
select tests.authenticate_as(tests.get('finance'));
select throws_ok(
    format($$select api.update_task(%L, '{"hourly_rate": 95}')$$, tests.get('mine')),
    'PT403', 'You need the tasks:write permission to do this.',
    'finance holds billing:write, but changing a task is tasks:write'
);
select tests.authenticate_as(tests.get('manager'));
select lives_ok(
    format($$select api.update_task(%L, '{"hourly_rate": 95}')$$, tests.get('mine')), 'a manager sets the rate'
);
select is((select hourly_rate::numeric from api.tasks where id = tests.get('mine')), 95.00, 'and it is set');
select lives_ok(
    $$select tests.delivery_project('Cloned by a manager')$$,
    'a template''s billing is copied into a new project by the clone'
);

-- Downloads: files:read, and the log row goes with it.
select tests.remember('brief_file', tests.attach_file(tests.task(tests.get('project'), 'Brief')));
select tests.authenticate_as(tests.get('production'));
select lives_ok(
    format('select api.log_file_access(%L)', tests.get('brief_file')),
    'production (files:read, no files:write) may sign a download'
);
select tests.authenticate_as(tests.get('sales'));
select throws_ok(
    format('select api.log_file_access(%L)', tests.get('brief_file')),
    'PT403', 'You need the files:read permission to do this.', 'sales (no files:read) may not'
);
select tests.as_superuser();
insert into app.user_permissions (tenant_id, user_id, permission, granted)
values (tests.get('tenant'), tests.get('designer'), 'files:read', false);
select tests.authenticate_as(tests.get('designer'));
select throws_ok(
    format('select api.log_file_access(%L)', tests.get('brief_file')),
    'PT403', null, 'nor a designer whose files:read is revoked, though they hold files:write'
);
select tests.as_superuser();
select is(
    (
        select array_agg(u.role::text order by u.role) from app.file_access_logs as l
        inner join app.users as u on l.tenant_id = u.tenant_id and l.user_id = u.id
        where l.file_id = tests.get('brief_file')
    ),
    array['manager', 'production'], 'each signed download is logged with who signed it, and only those'
);

select * from finish();
rollback;
