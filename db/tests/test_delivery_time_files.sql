-- Time entries (hourly tasks only, at least 0.25 h, frozen once invoiced), comments (a client's is always
-- client_visible) and attachments (at most 50 MB on a task).
begin;
select plan(15);

select tests.remember('tenant', tests.create_tenant('dlv-time'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember('project', tests.delivery_project());
select tests.remember('layout', tests.task(tests.get('project'), 'Layout'));
select tests.remember('print', tests.task(tests.get('project'), 'Print run'));

select tests.remember('entry', api.log_time(tests.get('layout'), '{"hours": 1.5, "note": "first draft"}'));
select is(
    (select actual_hours::numeric from api.tasks where id = tests.get('layout')), 1.50, 'time on an hourly task counts'
);
select throws_ok(
    format($$select api.log_time(%L, '{"hours": 0.1}')$$, tests.get('layout')),
    'PT422', 'A time entry is at least 0.25 hours.', 'less than a quarter hour is refused'
);
select throws_ok(
    format($$select api.log_time(%L, '{"hours": 2}')$$, tests.get('print')),
    'PT422', 'Time can be logged only on hourly tasks.', 'time on a fixed-price task is refused'
);

-- Once the task is on an invoice its time is frozen: insert, update and delete.
select tests.as_superuser();
insert into app.clients (tenant_id, account_code, name, channel) values (tests.get('tenant'), 'C1', 'Client', 'retail');
update app.projects set client_id = (select c.id from app.clients as c where c.tenant_id = tests.get('tenant'))
where id = tests.get('project');
select tests.authenticate_as(tests.get('manager'));
select api.update_task(tests.get('layout'), '{"status": "in_progress"}');
select api.update_task(tests.get('layout'), '{"status": "completed"}');
select tests.remember('invoice', api.generate_invoice_draft(tests.get('project')));
select throws_ok(
    format($$select api.log_time(%L, '{"hours": 1}')$$, tests.get('layout')),
    'PT409', null, 'no new time on an invoiced task'
);
select throws_ok(
    format($$select api.update_time_entry(%L, '{"hours": 3}')$$, tests.get('entry')),
    'PT409', null, 'no change to its time'
);
select throws_ok(
    format($$select api.delete_time_entry(%L)$$, tests.get('entry')),
    'PT409', null, 'no deleting its time'
);
select is((select hours::numeric from api.time_entries where id = tests.get('entry')), 1.50, 'the entry is as it was');

-- Comments.
select tests.remember('staff_comment', api.add_comment(tests.get('layout'), '{"body": "Internal note"}'));
select is(
    (select client_visible from api.comments where id = tests.get('staff_comment')), false,
    'a staff comment is internal by default'
);
select tests.as_superuser();
insert into app.contacts (tenant_id, client_id, name)
select
    tests.get('tenant') as tenant_id,
    c.id as client_id,
    'Casey' as name
from app.clients as c
where c.tenant_id = tests.get('tenant');
insert into app.comments (tenant_id, task_id, author_contact_id, body, client_visible)
select
    tests.get('tenant') as tenant_id,
    tests.get('layout') as task_id,
    ct.id as author_contact_id,
    'Looks great' as body,
    false as client_visible
from app.contacts as ct
where ct.tenant_id = tests.get('tenant');
select is(
    (select client_visible from app.comments where body = 'Looks great'), true,
    'a client contact''s comment is always client_visible, whatever the writer asked'
);
select throws_ok(
    $$update app.comments set client_visible = false where body = 'Looks great'$$,
    'PT422', 'A client contact''s comment is always visible to the client.', 'and it cannot be hidden later'
);

-- Attachments.
select tests.authenticate_as(tests.get('manager'));
select throws_ok(
    format(
        $$select * from api.create_file(%L, '{"task_id": "%s", "file_name": "huge.tif", "size": 52428801}')$$,
        tests.get('project'), tests.get('layout')
    ),
    'PT413', null, 'a task attachment over 50 MB is refused'
);
select lives_ok(
    format(
        $$select * from api.create_file(%L, '{"task_id": "%s", "file_name": "max.tif", "size": 52428800}')$$,
        tests.get('project'), tests.get('layout')
    ),
    'exactly 50 MB is allowed'
);
select tests.remember('pending', (select id from api.files where file_name = 'max.tif'));
select throws_ok(
    format($$select api.confirm_file(%L, 60000000, repeat('b', 64))$$, tests.get('pending')),
    'PT413', null, 'confirming an upload whose real size is over the limit is refused'
);
select throws_ok(
    format($$select api.log_file_access(%L)$$, tests.get('pending')),
    'PT409', 'This file is not available for download.', 'a pending upload cannot be downloaded'
);
select lives_ok(
    format(
        $$select * from api.create_file(%L, '{"file_name": "film.mov", "size": 900000000}')$$,
        tests.get('project')
    ),
    'a project file (not a task attachment) may be larger'
);

select * from finish();
rollback;
