-- The audit log: every change to a tenant table is recorded with actor, IP, key, payload hash and the change;
-- service roles add rows (through the trigger) but nobody, the owner included, changes or deletes them.
begin;
select plan(10);

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
        select jsonb_agg(jsonb_build_array(action, actor_user_id, ip, request_id, db_role) order by id)
        from audit.audit_log where table_name = 'app.clients' and row_key ->> 'id' = tests.get('c')::text
    ),
    jsonb_build_array(
        jsonb_build_array('insert', tests.get('sales'), '203.0.113.7', 'req-audit-1', 'pgpsa_staff'),
        jsonb_build_array('update', tests.get('sales'), '203.0.113.7', 'req-audit-1', 'pgpsa_staff')
    ),
    'an insert and a real update are logged with actor, IP, request and role; a no-op update is not'
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

-- Staff of the tenant: can add, cannot change or delete; reading needs audit:read.
select tests.authenticate_as(tests.get('sales'));
select is((select count(*)::int from audit.audit_log), 0, 'sales cannot read the audit log');
select throws_ok(
    'update audit.audit_log set action = ''delete''', '42501', null, 'staff cannot change audit rows'
);
select throws_ok('delete from audit.audit_log', '42501', null, 'staff cannot delete audit rows');
select tests.authenticate_as(tests.get('manager'));
select cmp_ok((select count(*)::int from audit.audit_log), '>=', 3, 'a manager (audit:read) reads the log');

-- The owner role, with the tenant set, is refused too.
select tests.as_superuser();
select tests.set('pgpsa.tenant_id', tests.get('tenant_a')::text);
set local role pgpsa_owner;
select throws_ok(
    'delete from audit.audit_log', 'PT403', 'The audit log is append-only: its rows cannot be changed or deleted.',
    'even the owner cannot delete audit rows'
);
select throws_ok(
    'update audit.audit_log set ip = null', 'PT403', null, 'even the owner cannot change audit rows'
);

select * from finish();
rollback;
