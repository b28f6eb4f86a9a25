-- Automations by persona: an event queues its delivery job in its own transaction; delivery queues each mail once
-- (a second delivery queues nothing); recipients come from the tenant's data; schedules run each period once, at
-- the tenant's local time; the escalation waits 24 hours; only the worker reaches these doors, in its tenant.
begin;
select plan(23);

select tests.remember('tenant_a', tests.create_tenant('auto-a'));
select tests.remember('tenant_b', tests.create_tenant('auto-b'));
select tests.remember('manager_a', tests.create_user(tests.get('tenant_a'), 'manager'));
select tests.remember('designer_a', tests.create_user(tests.get('tenant_a'), 'designer'));
select tests.remember('manager_b', tests.create_user(tests.get('tenant_b'), 'manager'));

-- The outbox: the event and its job are one transaction's.
select tests.authenticate_as(tests.get('manager_a'));
select tests.remember('product', api.create_product('{"sku": "AUTO-1", "name": "Auto"}'));
select api.update_sales_settings('{"purchasing_email": "buy@auto-a.test"}');
select tests.as_owner(tests.get('tenant_a'), tests.get('manager_a'));
select tests.remember('ev', internal.record_event(
    'stock.low', 'product', tests.get('product'),
    '{"quantity_on_hand": 2, "reorder_point": 5}'
));
select tests.as_superuser();
select is(
    (
        select count(*)::integer from queue.procrastinate_jobs as j
        where
            j.task_name = 'deliver_event' and j.args ->> 'event_id' = tests.get('ev')::text
            and j.args ->> 'tenant_id' = tests.get('tenant_a')::text
    ),
    1, 'recording an event queues its delivery job, with its tenant, in the same transaction'
);

-- Delivery, as the worker in the event's tenant: one mail to purchasing, once.
select tests.as_worker(tests.get('tenant_a'));
select is(api.deliver_event(tests.get('ev')::uuid), 1, 'the worker delivers the event: one mail queued');
select is(api.deliver_event(tests.get('ev')::uuid), 0, 'a second delivery of the same event queues nothing');
select tests.as_superuser();
select tests.results_eq(
    format(
        'select to_email::text, template::text, status::text from app.outbound_mail where event_id = %L',
        tests.get('ev')
    ),
    $$values ('buy@auto-a.test', 'stock_low', 'queued')$$,
    'the mail goes to the tenant''s purchasing address, waiting to be sent'
);
select is(
    (
        select count(*)::integer from queue.procrastinate_jobs as j
        where j.task_name = 'send_mail' and j.args ->> 'tenant_id' = tests.get('tenant_a')::text
    ),
    1, 'its send job is queued with it'
);

-- Another tenant's worker finds nothing of it: no delivery, no mail.
select tests.as_superuser();
select tests.remember('mail', (select m.id from app.outbound_mail as m where m.event_id = tests.get('ev')::uuid));
select tests.as_worker(tests.get('tenant_b'));
select is(api.deliver_event(tests.get('ev')::uuid), 0, 'tenant B''s worker cannot deliver tenant A''s event');
select is((select count(*)::integer from api.mail_to_send(tests.get('mail')::uuid)), 0, 'nor claim its mail');

-- Sending: claimed, then sent; a sent mail is not claimed again.
select tests.as_worker(tests.get('tenant_a'));
select is((select to_email from api.mail_to_send(tests.get('mail')::uuid)), 'buy@auto-a.test', 'the mail is claimed');
select is(
    (select resumed from api.mail_to_send(tests.get('mail')::uuid)), true,
    'a claim found already claimed says so (a previous attempt may have sent it)'
);
select api.mail_sent(tests.get('mail')::uuid, 'local', 'local:1');
select is(
    (select count(*)::integer from api.mail_to_send(tests.get('mail')::uuid)), 0, 'a sent mail is not sent again'
);

-- Only the worker reaches the worker's doors.
select tests.authenticate_as(tests.get('manager_a'));
select throws_ok(
    format('select api.deliver_event(%L)', tests.get('ev')), '42501', null,
    'staff cannot deliver events'
);
select throws_ok(
    format('select * from api.mail_to_send(%L)', tests.get('mail')), '42501', null,
    'staff cannot read a mail to send (it carries links)'
);
select throws_ok($$select api.run_schedule('sla_sweep', 'x')$$, '42501', null, 'staff cannot run a schedule');
select throws_ok($$select internal.enqueue('deliver_event', '{}')$$, '42501', null, 'staff cannot queue a job');
select tests.as_anon();
select throws_ok($$select * from api.due_schedules()$$, '42501', null, 'nobody signed in cannot read the schedules');

-- A tenant's time zone is an IANA name (checked against the names in 0026, then the server's zone database).
select tests.as_superuser();
select lives_ok(
    $$select 'Asia/Kathmandu'::app.time_zone, 'America/Argentina/Buenos_Aires'::app.time_zone$$,
    'an IANA time zone name is a time zone'
);
select throws_ok(
    $$update app.tenants set time_zone = 'Mars/Olympus_Mons' where id = tests.get('tenant_a')::uuid$$,
    '23514', null, 'a name that is no time zone is refused and the tenant keeps its zone'
);

-- Schedules at the tenant's local time, each period once.
update app.tenants set time_zone = 'Europe/Paris'
where id = tests.get('tenant_a')::uuid;
select tests.as_worker(tests.get('tenant_a'));
select set_eq(
    $$select schedule from api.due_schedules('2031-03-04 06:45+00')$$,  -- 07:45 in Paris
    $$values ('sla_sweep'), ('reorder_report')$$,
    'at 07:45 local the hourly sweep and the 07:30 reorder report are due, not the 08:00 quote checker'
);
select is(api.run_schedule('reorder_report', '2031-03-04'), 0, 'a period runs (and finds no stock below its point)');
select is(api.run_schedule('reorder_report', '2031-03-04'), null, 'the same period does not run twice');
select throws_ok($$select api.run_schedule('coffee', '2031-03-04')$$, 'PT422', null, 'an unknown schedule is refused');

-- The escalation waits 24 hours after the stage went overdue, and tells the managers once.
select tests.authenticate_as(tests.get('manager_a'));
select tests.remember('template', api.create_template(
    '{"name": "T", "project_type": "auto", "stages": [{"stage_code": "s", "name": "S", "sla_hours": 1}]}'
));
select
    tests.remember(
        'project', api.create_project(jsonb_build_object('name', 'P', 'template_id', tests.get('template')))
    );
select tests.remember('stage', (select s.id from api.stages as s where s.project_id = tests.get('project')::uuid));
select api.start_stage(tests.get('project')::uuid, tests.get('stage')::uuid);
select tests.as_superuser();
update app.stages set due_at = now() - interval '1 hour'
where id = tests.get('stage')::uuid;
select tests.as_worker(tests.get('tenant_a'));
select api.sla_sweep();
select is(api.escalate_stage(tests.get('stage')::uuid), 0, 'an hour overdue: not escalated yet');
select tests.as_superuser();
update app.stages set escalated_at = now() - interval '25 hours'
where id = tests.get('stage')::uuid;
select tests.as_worker(tests.get('tenant_a'));
select is(
    api.escalate_stage(tests.get('stage')::uuid) + api.escalate_stage(tests.get('stage')::uuid), 1,
    'overdue for 24 hours: escalated, once'
);

select * from finish();
rollback;
