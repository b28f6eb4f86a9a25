-- The audit log: every change to a tenant table is recorded with actor, login, role, IP, key, payload hash and the
-- change, by the owner-run trigger; no request role writes it or the events outbox (not even a forged row), and
-- nobody, the owner included, changes or deletes a row.
begin;
select plan(13);

select tests.remember('tenant_a', tests.create_tenant('aud-a'));
select tests.remember('manager', tests.create_user(tests.get('tenant_a'), 'manager'));
select tests.remember('sales', tests.create_user(tests.get('tenant_a'), 'sales'));

select tests.authenticate_as(tests.get('sales'));
select tests.set('pgpsa.ip', '203.0.113.7');
select tests.set('pgpsa.request_id', 'req-audit-1');
select
    tests.remember(
        'c',
        api.create_client('{"account_code": "AUD1", "name": "Audited", "channel": "retail", "tax_id": "SECRET-TAX"}')
    );
select api.update_client(tests.get('c'), '{"name": "Audited Ltd"}');
select api.update_client(tests.get('c'), '{"name": "Audited Ltd"}');

select tests.as_superuser();
select is(
    (
        select jsonb_agg(jsonb_build_array(action, actor_user_id, ip, request_id, db_login, db_role) order by id)
        from audit.audit_log where table_name = 'app.clients' and row_key ->> 'id' = tests.get('c')::text
    ),
    jsonb_build_array(
        jsonb_build_array('insert', tests.get('sales'), '203.0.113.7', 'req-audit-1', 'pgpsa_service', 'pgpsa_staff'),
        jsonb_build_array('update', tests.get('sales'), '203.0.113.7', 'req-audit-1', 'pgpsa_service', 'pgpsa_staff')
    ),
    'an insert and a real update are logged with actor, IP, request, login and role; a no-op update is not'
);
select is(
    (
        select old_values || new_values from audit.audit_log
        where table_name = 'app.clients' and action = 'update' and row_key ->> 'id' = tests.get('c')::text
    ),
    '{"name": "Audited Ltd"}'::jsonb,
    'an update records only what changed'
);
select ok(
    (
        select bool_and(payload_hash ~ '^[0-9a-f]{64}$')
        from audit.audit_log
        where row_key ->> 'id' = tests.get('c')::text
    ),
    'every entry carries a SHA-256 payload hash'
);
select is(
    (
        select count(*)::int from audit.audit_log
        where tenant_id = tests.get('tenant_a') and (new_values ? 'tax_id_encrypted' or new_values ? 'password_hash')
    ),
    0, 'secrets (encrypted tax ids, password hashes) never enter the log'
);

-- Staff of the tenant: the log is written for them, never by them; reading it needs audit:read.
select tests.authenticate_as(tests.get('sales'));
select is((select count(*)::int from api.audit_log), 0, 'sales cannot read the audit log');
select throws_ok(
    format(
        $$insert into audit.audit_log (tenant_id, actor_user_id, db_role, action, table_name, row_key, payload_hash)
          values (%L, %L, 'pgpsa_staff', 'delete', 'app.clients', '{}', 'x')$$,
        tests.get('tenant_a'), tests.get('manager')
    ),
    '42501', null, 'staff cannot write an audit row (say, one naming the manager as actor)'
);
select throws_ok(
    'update audit.audit_log set action = ''delete''', '42501', null, 'staff cannot change audit rows'
);
select throws_ok('delete from audit.audit_log', '42501', null, 'staff cannot delete audit rows');
select throws_ok(
    $$select internal.record_event('invoice.paid', 'invoice', gen_random_uuid())$$, '42501', null,
    'staff cannot record a domain event of their own'
);
select throws_ok(
    format(
        $$insert into app.domain_events (tenant_id, event_type, aggregate_type) values (%L, 'x.y', 'x')$$,
        tests.get('tenant_a')
    ),
    '42501', null, 'nor write the outbox directly'
);
select tests.authenticate_as(tests.get('manager'));
select cmp_ok((select count(*)::int from api.audit_log), '>=', 3, 'a manager (audit:read) reads the log');

-- The owner role, with the tenant set, is refused too.
select tests.as_owner(tests.get('tenant_a'));
select throws_ok(
    'delete from audit.audit_log', 'PT403', 'The audit log is append-only: its rows cannot be changed or deleted.',
    'even the owner cannot delete audit rows'
);
select throws_ok(
    'update audit.audit_log set ip = null', 'PT403', null, 'even the owner cannot change audit rows'
);

select * from finish();
rollback;
