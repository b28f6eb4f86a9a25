-- Draft generation from delivered work (seed 000 InvoiceCalculatorService): which tasks bill and how much; each
-- is billed once; time freezes; deleting the draft releases the tasks.
begin;
select plan(10);

select tests.remember('tenant', tests.create_tenant('bil-draft'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember('client', api.create_client('{"account_code": "DR1", "name": "Drafted", "channel": "trade"}'));
select tests.remember('project', api.create_project(jsonb_build_object(
    'name', 'Billing mix', 'project_type', 'mix', 'client_id', tests.get('client')
)));
select tests.as_superuser();
insert into app.stages (tenant_id, project_id, sequence, stage_code, name, sla_hours)
values (tests.get('tenant'), tests.get('project'), 1, 'work', 'Work', 24);
select tests.authenticate_as(tests.get('manager'));
select tests.remember('stage', (select id from api.stages where project_id = tests.get('project')));

-- fixed done, fixed not done, milestone approved, milestone not approved, hourly done with time, hourly done
-- without time, non-billable done.
select
    tests.remember(
        x.name,
        api.create_task(
            jsonb_build_object('project_stage_id', tests.get('stage'), 'title', x.title) || x.billing::jsonb
        )
    )
from (
    values
    ('fixed_done', 'Artwork', '{"billing_type": "fixed", "fixed_amount": 300}'),
    ('fixed_open', 'Print', '{"billing_type": "fixed", "fixed_amount": 900}'),
    ('ms_approved', 'Proof', '{"kind": "approval", "billing_type": "milestone", "fixed_amount": 150}'),
    ('ms_open', 'Final proof', '{"kind": "approval", "billing_type": "milestone", "fixed_amount": 75}'),
    ('hourly_done', 'Retouching', '{"billing_type": "hourly", "hourly_rate": 80}'),
    ('hourly_empty', 'Consulting', '{"billing_type": "hourly", "hourly_rate": 120}'),
    ('free', 'Coffee', '{}')
) as x (name, title, billing);
select api.log_time(tests.get('hourly_done'), '{"hours": 1.5}');
select api.log_time(tests.get('hourly_done'), '{"hours": 0.75}');
select api.update_task(tests.get(
    n), '{"status": "in_progress"}') from unnest(array[
    'fixed_done', 'hourly_done',
    'hourly_empty', 'free', 'fixed_open'
]) as n;
select api.update_task(tests.get(
    n), '{"status": "completed"}') from unnest(array[
    'fixed_done', 'hourly_done',
    'hourly_empty', 'free'
]) as n;
select api.update_task(tests.get('ms_approved'), '{"status": "in_review"}');
select api.update_task(tests.get('ms_approved'), '{"status": "approved"}');

select tests.remember('invoice', api.generate_invoice_draft(tests.get('project'), '{"tax_rate": 10}'));
select tests.results_eq(
    format('select description, quantity, unit_price, line_total from api.invoice_lines where invoice_id = %L
            order by unit_price', tests.get('invoice')),
    $$values ('Retouching (2.25 h)'::text, 2.25::numeric, 80.00::numeric, 180.00::numeric),
             ('Proof', 1, 150.00, 150.00), ('Artwork', 1, 300.00, 300.00)$$,
    'fixed when done, milestone when approved, hourly = hours x rate; nothing else'
);
select tests.results_eq(
    format('select status, kind, total from api.invoices where id = %L', tests.get('invoice')),
    $$values ('draft'::text, 'progress'::text, 693.00::numeric)$$,
    'a draft progress invoice with tax on each line (630 + 63)'
);
select is(
    (select array_agg(title::text order by title) from api.tasks where invoice_id = tests.get('invoice')),
    array['Artwork', 'Proof', 'Retouching'], 'each billed task points at the invoice'
);
select throws_ok(
    format($$select api.generate_invoice_draft(%L)$$, tests.get('project')),
    'PT409', null, 'a task is billed once: nothing is left to invoice'
);
select throws_ok(
    format($$select api.log_time(%L, '{"hours": 1}')$$, tests.get('hourly_done')),
    'PT409', null, 'a billed task''s time is frozen'
);
select throws_ok(
    format($$select api.update_task(%L, '{"fixed_amount": 1}')$$, tests.get('fixed_done')),
    'PT409', null, 'a billed task''s price is frozen'
);
select lives_ok(
    format(
        $$select api.update_invoice(%L, jsonb_build_object('lines', jsonb_build_array(jsonb_build_object(
        'id', (select id from api.invoice_lines where invoice_id = %1$L and unit_price = 300), 'description', 'Artwork, final'))))$$,
        tests.get('invoice')
    ),
    'a draft''s line descriptions stay editable'
);
-- The rule is the table's: it holds for the owner, who (unlike any request role) may write the line directly.
select tests.as_owner(tests.get('tenant'), tests.get('manager'));
select throws_ok(
    format(
        $$update app.invoice_lines set unit_price = 1 where invoice_id = %L and source_type = 'task'$$,
        tests.get('invoice')
    ),
    'PT409', null, 'a line billed from a task keeps the task''s amount, whoever writes'
);
select tests.authenticate_as(tests.get('manager'));
select api.delete_invoice(tests.get('invoice'));
select is(
    (select count(*)::int from api.tasks where project_id = tests.get('project') and invoice_id is not null), 0,
    'deleting the draft releases its tasks'
);
select lives_ok(
    format($$select api.log_time(%L, '{"hours": 1}')$$, tests.get('hourly_done')), 'and their time thaws'
);

select * from finish();
rollback;
