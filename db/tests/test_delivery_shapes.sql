-- Delivery's request shapes (db/migrations/0016_shapes_delivery.sql): every body is held to its shape, whoever calls
-- (the service, another app, psql), and each refusal names its field (COLUMN holds the path, such as
-- stages.0.tasks.1.title): an unknown field 22023, a required one missing 23502, a value its type refuses 23514
-- (too long, out of range, not of its vocabulary), the wrong JSON type 22023/22P02/22007. A refused task move is a
-- 409 whose hint names the moves allowed, read from the lifecycle table. Persona: a manager (every permission).
begin;
select plan(42);

-- What a refusal says, as pgTAP's throws_ok does not show it: its SQLSTATE, COLUMN, message and hint.
create function tests.refusal(p_sql text) returns jsonb
language plpgsql volatile
as $$
declare
    state text;
    field text;
    words text;
    hint text;
begin
    execute p_sql;
    return null;
exception when others then
    get stacked diagnostics state = returned_sqlstate, field = column_name, words = message_text, hint = pg_exception_hint;
    return jsonb_build_object('state', state, 'column', field, 'message', words, 'hint', hint);
end;
$$;

select tests.remember('tenant', tests.create_tenant('dlv-shape'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember('project', tests.delivery_project());
select tests.remember('other_project', tests.delivery_project('Autumn banners'));
select tests.remember('layout', tests.task(tests.get('project'), 'Layout'));
select tests.remember('stage', tests.stage(tests.get('project'), 'design'));

-- Templates: stages and their tasks are shapes too, and the path names the element.
select tests.remember('deposit_first', api.create_template(
    '{"name": "Deposit first", "project_type": "deposit_first", "stages": [
        {"stage_code": "plan", "name": "Plan", "sla_hours": 8, "tasks": [{"title": "Plan"}]},
        {"stage_code": "make", "name": "Make", "sla_hours": 8, "requires_deposit": true}]}'
));
select tests.results_eq(
    format(
        $$select (s ->> 'stage_code') as stage_code, (s ->> 'requires_deposit')::boolean as requires_deposit,
                 jsonb_array_length(s -> 'tasks') as tasks
          from api.templates as t, jsonb_array_elements(t.stages) as s where t.id = %L order by s ->> 'sequence'$$,
        tests.get('deposit_first')
    ),
    $$values ('plan'::text, false, 1), ('make', true, 0)$$,
    'a stage may require the deposit (false unless said), and api.templates shows it per stage'
);
select is(
    (
        select array_agg(k order by k) from api.templates as t, jsonb_array_elements(t.stages) as s,
            jsonb_object_keys(s) as k
        where t.id = tests.get('deposit_first') and s ->> 'stage_code' = 'plan'
    ),
    array['id', 'name', 'requires_deposit', 'sequence', 'sla_hours', 'stage_code', 'tasks'],
    'a stage''s keys are api.template_stage''s attributes'
);
select is(
    (
        select array_agg(k order by k) from api.templates as t, jsonb_array_elements(t.stages) as s,
            jsonb_array_elements(s -> 'tasks') as x, jsonb_object_keys(x) as k
        where t.id = tests.get('deposit_first')
    ),
    array[
        'billing_type', 'description', 'due_offset_days', 'estimated_hours', 'fixed_amount', 'hourly_rate', 'id',
        'kind', 'sequence', 'title'
    ],
    'a task''s keys are api.template_task''s attributes'
);
select tests.remember('cloned', api.create_project(jsonb_build_object(
    'name', 'Cloned', 'template_id', tests.get('deposit_first')
)));
select tests.results_eq(
    format(
        $$select s.stage_code, s.requires_deposit from api.stages as s where s.project_id = %L order by s.sequence$$,
        tests.get('cloned')
    ),
    $$values ('plan'::text, false), ('make', true)$$,
    'and a project made from it keeps it on its stages'
);
select is(
    tests.refusal($$select api.create_template('{"name": "T", "project_type": "t", "stages": [
        {"stage_code": "a", "name": "A", "sla_hours": 1, "tasks": [{"title": "x", "colour": "red"}]}]}')$$)
    - 'hint',
    '{"state": "22023", "column": "stages.0.tasks.0.colour", "message": "colour is not a field of this request."}',
    'a field a template task does not have is refused, by its path'
);
select is(
    tests.refusal($$select api.create_template('{"name": "T", "project_type": "t", "stages": [
        {"stage_code": "a", "name": "A", "sla_hours": 1}, {"stage_code": "b", "name": "B"}]}')$$) - 'hint',
    '{"state": "23502", "column": "stages.1.sla_hours", "message": "sla_hours is required."}',
    'a stage''s required field missing is refused, by its path'
);
select is(
    tests.refusal(format(
        $$select api.create_template('{"name": "T", "project_type": "t", "stages": [
            {"stage_code": "a", "name": "%s", "sla_hours": 1}]}')$$, repeat('n', 201)
    )) ->> 'column',
    'stages.0.name', 'a stage''s name over 200 characters (app.label) is refused, by its path'
);
select throws_ok(
    $$select api.create_template('{"name": "T", "project_type": "t", "stages": [
        {"stage_code": "a", "name": "A", "sla_hours": "many"}]}')$$,
    '22P02', 'sla_hours: invalid input syntax for type integer: "many"', 'a stage''s hours are a number'
);
select throws_ok(
    $$select api.create_template('{"name": "T", "project_type": "t", "stages": {"stage_code": "a"}}')$$,
    '22023', 'stages: Send a JSON array here.', 'the stages are an array'
);
select throws_ok(
    $$select api.create_template('{"name": "T", "project_type": "Not A Type"}')$$,
    '23514', null, 'a project type is lowercase words (app.project_type)'
);
select throws_ok(
    $$select api.create_template('{"name": "T"}')$$, '23502', 'project_type is required.', 'a template has a type'
);

-- Projects.
select throws_ok(
    $$select api.create_project('{"template_id": null}')$$, '23502', 'name is required.', 'a project has a name'
);
select throws_ok(
    $$select api.create_project('{"name": "P", "due_date": "soon"}')$$,
    '22007', 'due_date: invalid input syntax for type date: "soon"', 'a due date is a date'
);
select throws_ok(
    $$select api.create_project('{"name": "P", "budget_hours": -1}')$$,
    '23514', 'budget_hours: value for domain app.hours violates check constraint "check_hours"',
    'hours are zero or more (app.hours)'
);
select throws_ok(
    $$select api.create_project('{"name": "P", "status": "active"}')$$,
    '22023', 'status is not a field of this request.', 'a new project''s status is not the caller''s to set'
);
select throws_ok(
    format($$select api.update_project(%L, '{"status": null}')$$, tests.get('project')),
    '23502', 'status cannot be null.', 'a project''s status may not be cleared'
);
select throws_ok(
    format($$select api.update_project(%L, '{"client_id": "%s"}')$$, tests.get('project'), gen_random_uuid()),
    '22023', 'client_id is not a field of this request.', 'nor its client changed by a patch'
);
select lives_ok(
    format($$select api.update_project(%L, '{"due_date": null, "budget_hours": 12.5}')$$, tests.get('project')),
    'a nullable field may be cleared'
);

-- Tasks: the HTTP names (project_stage_id).
select lives_ok(
    format(
        $$select api.create_task('{"project_stage_id": "%s", "title": "Extra", "assignee_ids": ["%s"]}')$$,
        tests.get('stage'), tests.get('manager')
    ),
    'a task is made in the stage its project_stage_id names'
);
select is(
    (select stage_id from api.tasks where title = 'Extra'), tests.get('stage'), 'and is in that stage'
);
select throws_ok(
    format(
        $$select api.create_task('{"project_stage_id": "%s", "stage_id": "%s", "title": "Extra"}')$$,
        tests.get('stage'), tests.get('stage')
    ),
    '22023', 'stage_id is not a field of this request.', 'the old name is not a field'
);
select throws_ok(
    $$select api.create_task('{"title": "Extra"}')$$, '23502', 'project_stage_id is required.',
    'a task is made in a stage'
);
select throws_ok(
    format(
        $$select api.create_task('{"project_stage_id": "%s", "title": "Extra", "assignee_ids": ["nobody"]}')$$,
        tests.get('stage')
    ),
    '22P02', null, 'assignees are user ids'
);
select throws_ok(
    format($$select api.update_task(%L, '{"kind": "document"}')$$, tests.get('layout')),
    '22023', 'kind is not a field of this request.', 'a task''s kind is set when it is made'
);
select throws_ok(
    format($$select api.update_task(%L, '{"title": null}')$$, tests.get('layout')),
    '23502', 'title cannot be null.', 'a task''s title may not be cleared'
);
select throws_ok(
    format($$select api.update_task(%L, '{"priority": "asap"}')$$, tests.get('layout')),
    '23514', 'priority: value for domain app.priority violates check constraint "check_priority"',
    'a priority is one of its vocabulary'
);

-- A refused move: 409, and the hint lists the moves allowed, in the vocabulary's order.
select is(
    tests.refusal(format($$select api.update_task(%L, '{"status": "approved"}')$$, tests.get('layout'))) - 'column',
    jsonb_build_object(
        'state', 'PT409', 'message', 'A task cannot go from todo to approved.',
        'hint', 'Allowed from todo: in_progress, blocked, in_review, cancelled.'
    ),
    'a refused task move is a 409 naming the moves allowed from where it is'
);
select api.update_task(tests.get('layout'), '{"status": "in_progress"}');
select api.update_task(tests.get('layout'), '{"status": "in_review"}');
select is(
    tests.refusal(format($$select api.update_task(%L, '{"status": "todo"}')$$, tests.get('layout'))) ->> 'hint',
    'Allowed from in_review: in_progress, completed, approved, client_approved.',
    'read from the task lifecycle (app.task_status_transitions)'
);

-- Time entries.
select throws_ok(
    format($$select api.log_time(%L, '{"hours": "lots"}')$$, tests.get('layout')),
    '22P02', 'hours: invalid input syntax for type numeric: "lots"', 'hours are a number'
);
select throws_ok(
    format($$select api.log_time(%L, '{"hours": -1}')$$, tests.get('layout')),
    '23514', 'hours: value for domain app.hours violates check constraint "check_hours"', 'and zero or more'
);
select throws_ok(
    format($$select api.log_time(%L, '{"work_date": "2026-01-05"}')$$, tests.get('layout')),
    '23502', 'hours is required.', 'a time entry has its hours'
);
select throws_ok(
    format($$select api.log_time(%L, '{"hours": 1, "task_id": "%s"}')$$, tests.get('layout'), tests.get('layout')),
    '22023', 'task_id is not a field of this request.', 'the task is the URL''s, not the body''s'
);
select throws_ok(
    format($$select api.update_time_entry(%L, '{"user_id": "%s"}')$$, gen_random_uuid(), tests.get('manager')),
    '22023', 'user_id is not a field of this request.', 'an entry changes hours, date and note only'
);

-- Comments.
select throws_ok(
    format($$select api.add_comment(%L, '{"client_visible": true}')$$, tests.get('layout')),
    '23502', 'body is required.', 'a comment has a body'
);
select throws_ok(
    format($$select api.add_comment(%L, '{"body": "%s"}')$$, tests.get('layout'), repeat('b', 10001)),
    '23514', 'body: value for domain app.note violates check constraint "check_note"',
    'of at most 10,000 characters (app.note)'
);
select throws_ok(
    format($$select api.add_comment(%L, '{"body": "x", "client_visible": "maybe"}')$$, tests.get('layout')),
    '22P02', null, 'client_visible is a boolean'
);

-- Files: the project is the URL's, the size is the HTTP size.
select throws_ok(
    format($$select * from api.create_file(%L, '{"file_name": "a.pdf", "size_bytes": 10}')$$, tests.get('project')),
    '23502', 'size is required.', 'an upload says its size, as size'
);
select throws_ok(
    format(
        $$select * from api.create_file(%L, '{"file_name": "a.pdf", "size": 10, "visibility": "public"}')$$,
        tests.get('project')
    ),
    '23514', 'visibility: value for domain app.file_visibility violates check constraint "check_file_visibility"',
    'a visibility is internal or customer'
);
select throws_ok(
    format(
        $$select * from api.create_file(%L, '{"file_name": "a.pdf", "size": 10, "task_id": "%s"}')$$,
        tests.get('other_project'), tests.get('layout')
    ),
    'PT422', 'The task belongs to another project.', 'a file is attached to a task of the URL''s project'
);
select throws_ok(
    format($$select * from api.create_file(%L, '{"file_name": "a.pdf", "size": 10}')$$, gen_random_uuid()),
    'PT404', null, 'of a project that exists'
);

-- Approvals.
select throws_ok(
    format($$select * from api.request_approval(%L, '{"approver_email": "not an email"}')$$, tests.get('stage')),
    '23514', 'approver_email: value for domain app.email_address violates check constraint "check_email_address"',
    'an approver''s email is an email address'
);
select throws_ok(
    format($$select * from api.request_approval(%L, '{"expires_in_hours": 1.5}')$$, tests.get('stage')),
    '22P02', null, 'a link lasts whole hours'
);

select * from finish();
rollback;
