-- Templates and projects: cloning copies stages and tasks with due dates from offsets; projects without a
-- template; one active template per project type; projects:write to create.
begin;
select plan(9);

select tests.remember('tenant', tests.create_tenant('dlv-proj'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.remember('designer', tests.create_user(tests.get('tenant'), 'designer'));

select tests.authenticate_as(tests.get('manager'));
select tests.remember('project', tests.delivery_project());

select tests.results_eq(
    $$select stage_code, status from api.stages order by sequence$$,
    $$values ('design'::text, 'pending'::text), ('print', 'pending')$$,
    'cloning copies the template''s stages in order, all pending'
);
select is(
    (select jsonb_object_agg(title, due_date) from api.tasks),
    '{"Layout": "2026-01-07", "Brief": "2026-01-06", "Proof": "2026-01-08", "Print run": "2026-01-10"}'::jsonb,
    'task due dates are the project start date plus each template task''s offset'
);
select is(
    (select billing_type || ' ' || hourly_rate from api.tasks where title = 'Layout'), 'hourly 80.00',
    'billing fields are copied'
);
select matches(
    (select project_code from api.projects where id = tests.get('project')), '^PRJ-\d{6}$',
    'a project gets a per-tenant project code'
);
select lives_ok(
    $$select api.create_project('{"name": "Ad hoc", "project_type": "consulting"}')$$,
    'a project can be made without a template'
);
select is(
    (
        select count(*)::int
        from api.stages as s
        inner join api.projects as p on s.project_id = p.id
        where p.name = 'Ad hoc'
    ),
    0, 'and then it has no stages'
);
select throws_ok(
    $$select api.create_template('{"name": "Banner 2", "project_type": "banner"}')$$,
    '23505', null, 'one active template per project type'
);
select throws_ok(
    format($$select api.create_project('{"name": "X", "template_id": "%s"}')$$, gen_random_uuid()),
    'PT404', null, 'an unknown template is a 404'
);

select tests.authenticate_as(tests.get('designer'));
select throws_ok(
    $$select api.create_project('{"name": "Mine", "project_type": "banner"}')$$,
    'PT403', 'You need the projects:write permission to do this.', 'a designer cannot create projects'
);

select * from finish();
rollback;
