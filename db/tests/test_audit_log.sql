-- The audit log: every change to a tenant table is recorded with actor, IP, key, payload hash and the change;
-- service roles add rows (through the trigger) but nobody, the owner included, changes or deletes them.
begin;
select plan(10);

select tests.create_tenant('aud-a') as tenant_a \gset
select tests.create_user(:'tenant_a', 'manager') as manager \gset
select tests.create_user(:'tenant_a', 'sales') as sales \gset

select tests.authenticate_as(:'sales');
select set_config('pgpsa.ip', '203.0.113.7', true);
select set_config('pgpsa.request_id', 'req-audit-1', true);
select api.create_client('{"account_code": "AUD1", "name": "Audited", "channel": "retail", "tax_id": "SECRET-TAX"}') as c \gset
select api.update_client(:'c', '{"name": "Audited Ltd"}');
select api.update_client(:'c', '{"name": "Audited Ltd"}');

select tests.as_superuser();
select is(
    (select jsonb_agg(jsonb_build_array(action, actor_user_id, ip, request_id, db_role) order by id)
     from audit.audit_log where table_name = 'app.clients' and row_key ->> 'id' = :'c'),
    jsonb_build_array(
        jsonb_build_array('insert', :'sales', '203.0.113.7', 'req-audit-1', 'pgpsa_staff'),
        jsonb_build_array('update', :'sales', '203.0.113.7', 'req-audit-1', 'pgpsa_staff')
    ),
    'an insert and a real update are logged with actor, IP, request and role; a no-op update is not'
);
select is(
    (select old_values || new_values from audit.audit_log
     where table_name = 'app.clients' and action = 'update' and row_key ->> 'id' = :'c'),
    '{"name": "Audited Ltd"}'::jsonb,
    'an update records only what changed'
);
select ok(
    (select bool_and(payload_hash ~ '^[0-9a-f]{64}$') from audit.audit_log where row_key ->> 'id' = :'c'),
    'every entry carries a SHA-256 payload hash'
);
select is(
    (select count(*)::int from audit.audit_log
     where tenant_id = :'tenant_a' and (new_values ? 'tax_id_encrypted' or new_values ? 'password_hash')),
    0, 'secrets (encrypted tax ids, password hashes) never enter the log'
);

-- Staff of the tenant: can add, cannot change or delete; reading needs audit:read.
select tests.authenticate_as(:'sales');
select is((select count(*)::int from audit.audit_log), 0, 'sales cannot read the audit log');
select throws_ok(
    'update audit.audit_log set action = ''delete''', '42501', null, 'staff cannot change audit rows'
);
select throws_ok('delete from audit.audit_log', '42501', null, 'staff cannot delete audit rows');
select tests.authenticate_as(:'manager');
select cmp_ok((select count(*)::int from audit.audit_log), '>=', 3, 'a manager (audit:read) reads the log');

-- The owner role, with the tenant set, is refused too.
select tests.as_superuser();
select set_config('pgpsa.tenant_id', :'tenant_a', true);
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
