-- Contract billing (a client's active assignments for a period, never twice), time billed by the contract and not
-- by the project, the split functions on a legacy shared contract, and contract documents seen through ownership.
begin;
select plan(13);

select tests.remember('tenant', tests.create_tenant('con-bill'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember('client', api.create_client('{"account_code": "WNW", "name": "WorryNot", "channel": "msp"}'));
select tests.remember('other', api.create_client('{"account_code": "BWG", "name": "Benjamin Wolf", "channel": "msp"}'));
select tests.remember('contract', api.create_contract(jsonb_build_object(
    'name', 'Worry-Free Essentials', 'owner_client_id', tests.get('client'), 'lines', jsonb_build_array(
        jsonb_build_object('name', 'Helpdesk', 'line_type', 'fixed', 'amount', 800),
        jsonb_build_object('name', 'Projects', 'line_type', 'hourly', 'hourly_rate', 100)
    )
)));
select tests.remember('assignment', api.assign_contract(tests.get('contract'), jsonb_build_object(
    'client_id', tests.get('client'), 'start_date', '2026-01-01'
)));
select api.activate_client_contract(tests.get('assignment'));

-- Time against the hourly line, on an hourly task of a project of the client.
select tests.remember('project', tests.delivery_project());
select tests.as_superuser();
update app.projects set client_id = tests.get('client')
where id = tests.get('project');
select tests.authenticate_as(tests.get('manager'));
select api.update_task(tests.task(tests.get('project'), 'Layout'), '{"status": "in_progress"}');
select api.log_time(tests.task(tests.get('project'), 'Layout'), jsonb_build_object(
    'hours', 3, 'work_date', '2026-03-10',
    'contract_line_id',
    tests.contract_line(tests.get('contract'), 'hourly')
));

select tests.remember('invoice', api.bill_client_contracts(tests.get('client'), '2026-03-01', '2026-03-31'));
select tests.results_eq(
    format(
        'select description, quantity, unit_price from api.invoice_lines where invoice_id = %L order by sequence',
        tests.get('invoice')
    ),
    $$values ('Worry-Free Essentials: Helpdesk'::text, 1.00::numeric, 800.00::numeric),
             ('Worry-Free Essentials: Projects (3.00 h)', 3.00, 100.00)$$,
    'fixed lines bill once per period, hourly lines bill the time logged against them in the period'
);
select tests.results_eq(
    format('select kind, status, total from api.invoices where id = %L', tests.get('invoice')),
    $$values ('contract'::text, 'draft'::text, 1100.00::numeric)$$, 'into a draft invoice of kind contract'
);
select throws_ok(
    format($$select api.bill_client_contracts(%L, '2026-03-15', '2026-04-14')$$, tests.get('client')),
    'PT409', null, 'an assignment is never billed twice for an overlapping period'
);
select throws_ok(
    format(
        $$insert into app.contract_billings (tenant_id, client_contract_id, invoice_id, period_start, period_end)
             values (%L, %L, %L, '2026-03-20', '2026-03-21')$$,
        tests.get('tenant'), tests.get('assignment'), tests.get('invoice')
    ),
    '42501', null, 'billing records are written only by the billing function'
);
select api.update_task(tests.task(tests.get('project'), 'Layout'), '{"status": "completed"}');
select throws_ok(
    format($$select api.generate_invoice_draft(%L)$$, tests.get('project')),
    'PT409', null, 'time billed by the contract is not billed again by the project'
);
select api.send_invoice(tests.get('invoice'));
select api.void_invoice(tests.get('invoice'), 'Wrong period');
select lives_ok(
    format($$select api.bill_client_contracts(%L, '2026-03-01', '2026-03-31')$$, tests.get('client')),
    'voiding the invoice frees its periods'
);
select tests.remember('idle', api.create_client('{"account_code": "IDLE", "name": "Idle", "channel": "msp"}'));
select throws_ok(
    format($$select api.bill_client_contracts(%L, '2026-03-01', '2026-03-31')$$, tests.get('idle')),
    'PT409', null, 'a client without active assignments has nothing to bill'
);

-- Contract documents are visible to the owning client's contacts only.
select tests.remember('doc', tests.attach_file(tests.task(tests.get('project'), 'Brief')));
select tests.as_superuser();
update app.files set visibility = 'customer'
where id = tests.get('doc');
insert into app.contract_documents (tenant_id, contract_id, file_id)
values (tests.get('tenant'), tests.get('contract'), tests.get('doc'));
select tests.as_portal(tests.get('tenant'), tests.get('client'));
select is((select count(*)::int from portal.contract_documents()), 1, 'the owning client''s contact sees the document');
select tests.as_portal(tests.get('tenant'), tests.get('other'));
select is((select count(*)::int from portal.contract_documents()), 0, 'another client''s contact does not');

-- The split on a legacy shared contract (guardrails set aside for the test, as before the migration).
select tests.as_superuser();
alter table app.client_contracts disable trigger trg_client_contracts_100_owner;
alter table app.client_contracts drop constraint fk_client_contracts_owner;
alter table app.contracts drop constraint check_contracts_owner;
insert into app.contracts (tenant_id, id, name, status) values
(tests.get('tenant'), '00000000-0000-0000-0000-0000000c9999', 'Legacy shared', 'published');
insert into app.contract_lines (tenant_id, contract_id, name, line_type)
values (tests.get('tenant'), '00000000-0000-0000-0000-0000000c9999', 'Care', 'fixed');
insert into app.client_contracts (tenant_id, client_id, contract_id, start_date) values
(tests.get('tenant'), tests.get('client'), '00000000-0000-0000-0000-0000000c9999', '2025-01-01'),
(tests.get('tenant'), tests.get('other'), '00000000-0000-0000-0000-0000000c9999', '2025-06-01');
select tests.results_eq(
    $$select client_id, role, blockers from internal.contract_split_preflight()
      where contract_id = '00000000-0000-0000-0000-0000000c9999' order by role desc$$,
    format(
        $$values (%L::uuid, 'preserve'::text, null::text), (%L, 'clone', null)$$,
        tests.get('client'),
        tests.get('other')
    ),
    'the preflight names the preserved (earliest start) and the clone-target assignment, changing nothing'
);
select is(
    (select outcome from internal.split_shared_contracts() where contract_id = '00000000-0000-0000-0000-0000000c9999'),
    'split', 'the split clones it for the other client'
);
select is(
    (
        select count(distinct c.owner_client_id)::int from app.client_contracts as cc
        inner join app.contracts as c on cc.contract_id = c.id where c.name = 'Legacy shared'
    ),
    2, 'each client now owns its own copy'
);
select is_empty(
    'select * from internal.split_shared_contracts()', 'a re-run finds nothing left to do'
);

select * from finish();
rollback;
