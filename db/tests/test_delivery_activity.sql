-- A task's activity (seed 003 §2.4, POST /api/v1/tasks/{id}/activity): a note, a comment or an upload request,
-- each leaving its row in the task's history, written only as the owner. Personas: manager, designer (their own
-- tasks only), production (no files:write), sales (no tasks:write), staff of another tenant, anonymous.
begin;
select plan(29);

select tests.remember('tenant', tests.create_tenant('dlv-act'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.remember('designer', tests.create_user(tests.get('tenant'), 'designer'));
select tests.remember('production', tests.create_user(tests.get('tenant'), 'production'));
select tests.remember('sales', tests.create_user(tests.get('tenant'), 'sales'));
select tests.remember('other_tenant', tests.create_tenant('dlv-act-other'));
select tests.remember('stranger', tests.create_user(tests.get('other_tenant'), 'manager'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember('project', tests.delivery_project());
select tests.remember('layout', tests.task(tests.get('project'), 'Layout'));
select tests.remember('brief', tests.task(tests.get('project'), 'Brief'));
select api.update_task(
    tests.get('layout'), jsonb_build_object('assignee_ids', jsonb_build_array(tests.get('designer')))
);

-- A note: only a log entry.
create temporary table entry on commit drop as
select
    'note' as kind,
    *
from api.add_task_activity(tests.get('brief'), '{"type": "note", "body": "Called the client"}');
grant select on entry to public;
select tests.results_eq(
    $$select l.action, l.changes ->> 'body' as body, l.actor_user_id = tests.get('manager') as by_me
      from api.task_activity as l join entry as e on e.activity_id = l.id where e.kind = 'note'$$,
    $$values ('note'::text, 'Called the client'::text, true)$$,
    'a note is a row of the task''s history, with its text and who wrote it'
);
select is(
    (select row(comment_id, file_id, storage_key)::text from entry where kind = 'note'), '(,,)',
    'and nothing else'
);

-- A comment: the comment, and its row in the history.
insert into entry
select
    'comment' as kind,
    *
from api.add_task_activity(
    tests.get('brief'), '{"type": "comment", "body": "Bigger logo", "client_visible": true}'
);
select tests.results_eq(
    $$select c.body, c.client_visible from api.comments as c join entry as e on e.comment_id = c.id$$,
    $$values ('Bigger logo'::text, true)$$,
    'a comment entry is a comment of the task'
);
select tests.results_eq(
    $$select l.action, (l.changes ->> 'comment_id')::uuid = e.comment_id as names_it
      from api.task_activity as l join entry as e on e.activity_id = l.id where e.kind = 'comment'$$,
    $$values ('comment'::text, true)$$,
    'and a row of its history naming the comment'
);
select tests.remember('plain_comment', api.add_comment(tests.get('layout'), '{"body": "Through the comments door"}'));
select is(
    (
        select count(*)::int from api.task_activity
        where
            task_id = tests.get('layout') and action = 'comment'
            and changes ->> 'comment_id' = tests.get('plain_comment')::text
    ),
    1, 'every comment is in its task''s history, however it was added (the comments'' trigger)'
);

-- An upload: a pending file of the task and its project, and its row in the history.
insert into entry
select
    'upload' as kind,
    *
from api.add_task_activity(
    tests.get('brief'),
    '{"type": "upload", "file_name": "brief.pdf", "content_type": "application/pdf", "size": 2048}'
);
select tests.results_eq(
    $$select f.file_name, f.state, f.task_id = tests.get('brief') as on_task,
             f.project_id = tests.get('project') as in_project, f.storage_key = e.storage_key as same_key,
             f.visibility
      from api.files as f join entry as e on e.file_id = f.id$$,
    $$values ('brief.pdf'::text, 'pending'::text, true, true, true, 'internal'::text)$$,
    'an upload entry starts an upload attached to the task and its project, and returns its storage key'
);
select tests.results_eq(
    $$select l.action, (l.changes ->> 'file_id')::uuid = e.file_id as names_it, l.changes ->> 'file_name' as file_name
      from api.task_activity as l join entry as e on e.activity_id = l.id where e.kind = 'upload'$$,
    $$values ('upload_requested'::text, true, 'brief.pdf'::text)$$,
    'and a row of its history naming the file'
);
select throws_ok(
    format(
        $$select * from api.add_task_activity(%L, '{"type": "upload", "file_name": "huge.tif", "size": 52428801}')$$,
        tests.get('brief')
    ),
    'PT413', null, 'an upload has create_file''s limits: a task attachment is at most 50 MB'
);
select throws_ok(
    format(
        $$select * from api.add_task_activity(%L, '{"type": "upload", "file_name": "a/b.pdf", "size": 10}')$$,
        tests.get('brief')
    ),
    '23514', null, 'and its rules: a file name has no path'
);

-- What each type takes.
select throws_ok(
    format($$select * from api.add_task_activity(%L, '{"type": "note"}')$$, tests.get('brief')),
    '23502', 'body is required.', 'a note needs its text'
);
select throws_ok(
    format($$select * from api.add_task_activity(%L, '{"type": "comment", "body": " "}')$$, tests.get('brief')),
    '23514', null, 'so does a comment'
);
select throws_ok(
    format($$select * from api.add_task_activity(%L, '{"type": "upload", "file_name": "x.pdf"}')$$, tests.get('brief')),
    '23502', 'size is required.', 'an upload needs its size'
);
select throws_ok(
    format(
        $$select * from api.add_task_activity(%L, '{"type": "note", "body": "x", "client_visible": true}')$$,
        tests.get('brief')
    ),
    '22023', 'client_visible is not a field of a note.', 'a field of another type is refused, by name'
);
select throws_ok(
    format(
        $$select * from api.add_task_activity(%L, '{"type": "comment", "body": "x", "size": 10}')$$,
        tests.get('brief')
    ),
    '22023', 'size is not a field of a comment.', 'whichever type it belongs to'
);
select throws_ok(
    format($$select * from api.add_task_activity(%L, '{"body": "x"}')$$, tests.get('brief')),
    '23502', 'type is required.', 'an entry says its type'
);
select throws_ok(
    format($$select * from api.add_task_activity(%L, '{"type": "photo", "body": "x"}')$$, tests.get('brief')),
    '23514', 'type: value for domain app.task_activity_type violates check constraint "check_task_activity_type"',
    'one of comment, note, upload (app.task_activity_type)'
);

-- The designer: their own task, not another's, in the words of a task that does not exist.
select tests.authenticate_as(tests.get('designer'));
select lives_ok(
    format($$select * from api.add_task_activity(%L, '{"type": "note", "body": "Draft sent"}')$$, tests.get('layout')),
    'a designer adds a note to their own task'
);
select throws_ok(
    format($$select * from api.add_task_activity(%L, '{"type": "note", "body": "Peek"}')$$, tests.get('brief')),
    'PT404', format('No task with id %s.', tests.get('brief')), 'not to a task not assigned to them'
);
select throws_ok(
    format(
        $$select * from api.add_task_activity(%L, '{"type": "upload", "file_name": "x.pdf", "size": 10}')$$,
        tests.get('brief')
    ),
    'PT404', format('No task with id %s.', tests.get('brief')), 'nor an upload'
);

-- Production works on tasks but uploads nothing; sales does not work on tasks.
select tests.authenticate_as(tests.get('production'));
select lives_ok(
    format($$select * from api.add_task_activity(%L, '{"type": "note", "body": "Press booked"}')$$, tests.get('brief')),
    'production adds a note'
);
select throws_ok(
    format(
        $$select * from api.add_task_activity(%L, '{"type": "upload", "file_name": "x.pdf", "size": 10}')$$,
        tests.get('brief')
    ),
    'PT403', 'You need the files:write permission to do this.', 'but starts no upload without files:write'
);
select tests.authenticate_as(tests.get('sales'));
select throws_ok(
    format($$select * from api.add_task_activity(%L, '{"type": "note", "body": "Hi"}')$$, tests.get('brief')),
    'PT403', 'You need the tasks:write permission to do this.', 'sales adds nothing to a task''s history'
);

-- Another tenant's staff, and nobody.
select tests.authenticate_as(tests.get('stranger'));
select throws_ok(
    format($$select * from api.add_task_activity(%L, '{"type": "note", "body": "Hi"}')$$, tests.get('brief')),
    'PT404', format('No task with id %s.', tests.get('brief')), 'another tenant''s task is not there'
);
select tests.as_anon();
select throws_ok(
    format($$select * from api.add_task_activity(%L, '{"type": "note", "body": "Hi"}')$$, tests.get('brief')),
    '42501', null, 'before sign-in there is no such door'
);

-- The log is written only as the owner: staff cannot reach the owner-run writers, and those check for themselves.
select tests.authenticate_as(tests.get('manager'));
select throws_ok(
    format($$select internal.log_task_note(%L, 'Forged')$$, tests.get('brief')),
    '42501', null, 'staff cannot call the owner-run note writer'
);
select tests.as_api_door(tests.get('designer'));
select throws_ok(
    format($$select internal.log_task_note(%L, 'Forged')$$, tests.get('brief')),
    'PT404', format('No task with id %s.', tests.get('brief')),
    'called by the door, it still finds only the tasks the caller may work on'
);
select throws_ok(
    format($$select internal.log_task_upload(%L)$$, (select file_id from entry where kind = 'upload')),
    'PT404', null, 'and logs only the caller''s own upload on such a task'
);
select tests.as_api_door(tests.get('manager'));
select throws_ok(
    format($$select internal.log_task_upload(%L)$$, (select file_id from entry where kind = 'upload')),
    'PT404', null, 'once'
);
select tests.as_api_door(tests.get('sales'));
select throws_ok(
    format($$select internal.log_task_note(%L, 'Forged')$$, tests.get('brief')),
    'PT403', null, 'and with the caller''s permission only'
);

select * from finish();
rollback;
