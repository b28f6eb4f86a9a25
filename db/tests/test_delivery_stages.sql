-- Stage progression (seed 003 §3.3) and the SLA sweep (§8.1 scenario 4).
begin;
select plan(14);

select tests.remember('tenant', tests.create_tenant('dlv-stage'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember('project', tests.delivery_project());
select tests.remember('design', tests.stage(tests.get('project'), 'design'));
select tests.remember('print', tests.stage(tests.get('project'), 'print'));

select throws_ok(
    format($$select api.start_stage(%L, %L)$$, tests.get('project'), tests.get('print')),
    'PT409', 'Stage Print cannot start before the stages ahead of it are completed.', 'stages start in order'
);
select api.start_stage(tests.get('project'), tests.get('design'));
select ok(
    (
        select
            (status = 'active' and due_at between now() + interval '47 hours 59 minutes' and now() + interval '2 days')
                as on_time
        from api.stages where id = tests.get('design')
    ),
    'starting a stage makes it active and due after its SLA'
);
select is((select status from api.projects where id = tests.get('project')), 'active', 'the project is active');
select throws_ok(
    format($$select api.complete_stage(%L, %L)$$, tests.get('project'), tests.get('design')),
    'PT409', 'Stage Design still has open tasks: Layout, Brief, Proof.', 'a stage with open tasks cannot complete'
);
select tests.as_owner(tests.get('tenant'));
select throws_ok(
    format($$update app.projects set status = 'completed' where id = %L$$, tests.get('project')),
    'PT409', null, 'a project is not completed by hand while stages are open, whoever writes'
);
select tests.authenticate_as(tests.get('manager'));

-- Finish the design tasks (cancelling counts as done), then complete the stage.
select api.update_task(tests.task(tests.get('project'), 'Layout'), '{"status": "cancelled"}');
select api.update_task(tests.task(tests.get('project'), 'Brief'), '{"status": "cancelled"}');
select api.update_task(tests.task(tests.get('project'), 'Proof'), '{"status": "cancelled"}');
select lives_ok(
    format($$select api.complete_stage(%L, %L)$$, tests.get('project'), tests.get('design')),
    'once every task is done the stage completes'
);
select tests.results_eq(
    $$select stage_code, status, started_at is not null as started, due_at > now() as due_later
      from api.stages order by sequence$$,
    $$values ('design'::text, 'completed'::text, true, true), ('print', 'active', true, true)$$,
    'completing a stage activates the next with its SLA'
);
select api.update_task(tests.task(tests.get('project'), 'Print run'), '{"status": "cancelled"}');
select api.complete_stage(tests.get('project'), tests.get('print'));
select isnt(
    (select completed_at from api.projects where id = tests.get('project') and status = 'completed'), null,
    'completing the last stage completes the project'
);

-- SLA sweep, as the worker runs it.
select tests.remember('late', tests.delivery_project('Late banners'));
select api.start_stage(tests.get('late'), tests.stage(tests.get('late'), 'design'));
select tests.as_superuser();
update app.stages set due_at = now() - interval '1 hour'
where id = tests.stage(tests.get('late'), 'design');
select tests.authenticate_as(tests.get('manager'));
select throws_ok('select api.sla_sweep()', '42501', null, 'staff do not run the sweep: only the worker role');
select tests.as_worker(tests.get('tenant'));
select is(api.sla_sweep(), 1, 'the sweep marks the late active stage');
select tests.as_superuser();
select is(
    (select status from app.stages where id = tests.stage(tests.get('late'), 'design')), 'overdue',
    'the late stage is overdue'
);
select is(
    (
        select count(*)::int from app.domain_events
        where event_type = 'stage.overdue' and aggregate_id = tests.stage(tests.get('late'), 'design')
    ),
    1, 'and its escalation event is recorded'
);
select tests.as_worker(tests.get('tenant'));
select is(api.sla_sweep(), 0, 'a second sweep changes nothing more');
select tests.as_superuser();
select is(
    (
        select count(*)::int from app.domain_events
        where event_type = 'stage.overdue' and aggregate_id = tests.stage(tests.get('late'), 'design')
    ),
    1, 'and records no second escalation'
);

select * from finish();
rollback;
