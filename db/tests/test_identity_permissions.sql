-- Identity and permissions: the seed 003 §7.1 role map, per-user grants and revokes, permissions declared per
-- table command, users per tenant, and sign-in (only the pre-sign-in role runs it; throttled per account and
-- address, and per address across accounts).
begin;
select plan(29);

select tests.remember('tenant_a', tests.create_tenant('perm-a'));
select tests.remember('tenant_b', tests.create_tenant('perm-b'));
select tests.remember('designer', tests.create_user(tests.get('tenant_a'), 'designer'));
select tests.remember('finance', tests.create_user(tests.get('tenant_a'), 'finance'));
select tests.remember('manager', tests.create_user(tests.get('tenant_a'), 'manager'));
select tests.remember('reader', tests.create_user(tests.get('tenant_a'), 'sales'));
select tests.remember('user_b', tests.create_user(tests.get('tenant_b'), 'manager', 'owner@perm-b.test'));

-- The map itself.
select tests.results_eq(
    $$select permission from app.role_permissions
      where role = 'sales' and permission like any(array['leads:%', 'quotes:%', 'orders:%']) order by 1$$,
    $$values ('leads:read'), ('leads:write'), ('orders:read'), ('quotes:read'), ('quotes:write')$$,
    'sales holds the seed map: leads and quotes read and write, orders read'
);
select is(
    (select array_agg(role::text order by role) from app.role_permissions where permission = '*'),
    array['admin', 'manager'],
    'manager and admin hold everything'
);
select is(
    (select array_agg(role::text order by role) from app.role_permissions where permission = 'files:read'),
    array['designer', 'production', 'qc'],
    'the roles that work on files may download them (seed 003''s map omits files:read)'
);

-- has_permission answers for the context's user (asked here as the owner, which may call internal helpers).
select tests.as_owner(tests.get('tenant_a'), tests.get('designer'));
select ok(internal.has_permission('tasks:write'), 'a designer may write tasks');
select ok(not internal.has_permission('invoices:read'), 'a designer may not read invoices');
select tests.as_owner(tests.get('tenant_a'), tests.get('manager'));
select ok(internal.has_permission('invoices:write'), 'a manager may do anything');

-- Overrides: a grant adds, a revoke takes away even what the role gives.
select tests.as_superuser();
insert into app.user_permissions (tenant_id, user_id, permission, granted) values
(tests.get('tenant_a'), tests.get('designer'), 'invoices:read', true),
(tests.get('tenant_a'), tests.get('finance'), 'invoices:write', false),
(tests.get('tenant_a'), tests.get('reader'), 'users:read', true),
(tests.get('tenant_a'), tests.get('reader'), 'clients:write', false);
select tests.as_owner(tests.get('tenant_a'), tests.get('designer'));
select ok(internal.has_permission('invoices:read'), 'a user grant adds a permission the role lacks');
select tests.as_owner(tests.get('tenant_a'), tests.get('finance'));
select ok(not internal.has_permission('invoices:write'), 'a user revoke removes a permission the role has');
select ok(internal.has_permission('payments:write'), 'other permissions of the role stay');

-- The per-request cache is trusted only for the user it was made for.
select tests.set('pgpsa.permissions', internal.permission_cache());
select ok(
    internal.has_permission('payments:write') and not internal.has_permission('invoices:write'),
    'the permission cache answers as the tables do'
);
select tests.set('pgpsa.permissions', tests.get('designer')::text || '|*');
select ok(not internal.has_permission('projects:write'), 'a cache made for another user is ignored');

-- Each command its own permission (finding: users:read alone once deleted its own revoke and got it back).
select tests.as_api_door(tests.get('reader'));
select is(
    (select count(*)::int from app.user_permissions where user_id = tests.get('reader')), 2,
    'a user with users:read sees the permission overrides'
);
delete from app.user_permissions
where user_id = tests.get('reader') and permission = 'clients:write';
select tests.as_superuser();
select is(
    (select count(*)::int from app.user_permissions where user_id = tests.get('reader') and not granted), 1,
    'but deleting one (their own revoke, say) needs users:write: nothing was deleted'
);
select tests.as_api_door(tests.get('reader'));
select throws_ok(
    format($$insert into app.user_permissions (tenant_id, user_id, permission, granted)
             values (%L, %L, 'invoices:write', true)$$, tests.get('tenant_a'), tests.get('reader')),
    '42501', null, 'nor can they grant themselves a permission'
);
select tests.as_api_door(tests.get('manager'));
delete from app.user_permissions
where user_id = tests.get('reader') and permission = 'clients:write';
select tests.as_superuser();
select is(
    (select count(*)::int from app.user_permissions where user_id = tests.get('reader') and not granted), 0,
    'a manager (users:write) may take the revoke back'
);

-- Users: unique email per tenant, a known role.
select tests.as_superuser();
select internal.create_user(tests.get('tenant_a'), 'dup@example.test', 'A', 'sales', 'h');
select throws_ok(
    format($$select internal.create_user(%L, 'Dup@Example.test', 'A', 'sales', 'h')$$, tests.get('tenant_a')),
    '23505', null, 'an email is unique within a tenant, whatever its case'
);
select lives_ok(
    format($$select internal.create_user(%L, 'dup@example.test', 'A', 'sales', 'h')$$, tests.get('tenant_b')),
    'the same email may exist in another tenant'
);
select throws_ok(
    format($$select internal.create_user(%L, 'x@example.test', 'A', 'intern', 'h')$$, tests.get('tenant_a')),
    '23514', null, 'a user role is one of the seven roles (or app)'
);

-- Staff never write users or read password hashes: they are not even given the table.
select tests.authenticate_as(tests.get('designer'));
select throws_ok(
    format($$insert into app.users (tenant_id, email, full_name, role, password_hash)
             values (%L, 'new@example.test', 'New', 'admin', 'h')$$, tests.get('tenant_a')),
    '42501', null, 'a designer cannot create users'
);
select throws_ok(
    'select password_hash from app.users', '42501', null, 'staff cannot read password hashes'
);
select is((select count(*)::int from api.users), 5, 'everyone on staff sees the directory, without hashes');

-- Sign-in is the pre-sign-in role's alone: staff cannot read another tenant's hash or touch its throttle.
select throws_ok(
    $$select * from api.login_lookup('perm-b', 'owner@perm-b.test')$$, '42501', null,
    'staff cannot look up a sign-in (and so never see a password hash)'
);
select throws_ok(
    $$select api.login_succeeded('perm-b', 'owner@perm-b.test')$$, '42501', null,
    'nor clear an account''s failures'
);
select throws_ok(
    $$select api.login_failed('perm-b', 'owner@perm-b.test')$$, '42501', null, 'nor add to them'
);

-- The pre-sign-in role: failures count per account and address; the owner's address still signs in.
select tests.as_anon();
select tests.set('pgpsa.ip', '198.51.100.66');
select api.login_failed('perm-b', 'OWNER@perm-b.test') from generate_series(1, 5);
select throws_ok(
    $$select * from api.login_lookup('perm-b', 'owner@perm-b.test')$$,
    'PT429', 'Too many failed sign-in attempts from this address.',
    'five failures from one address lock that address out of the account (its case does not matter)'
);
select tests.set('pgpsa.ip', '192.0.2.10');
select is(
    (select user_id from api.login_lookup('perm-b', 'owner@perm-b.test')), tests.get('user_b'),
    'while the owner, from their own address, still finds their account'
);
select tests.set('pgpsa.tenant_id', tests.get('tenant_a')::text);
select api.login_succeeded('perm-b', 'owner@perm-b.test');
select
    is(
        current_setting('pgpsa.tenant_id'), tests.get('tenant_a')::text, 'sign-in leaves the caller''s tenant as it was'
    );
select tests.set('pgpsa.tenant_id', '');

-- One address trying one password across many accounts is slowed too.
select tests.set('pgpsa.ip', '198.51.100.99');
select api.login_failed('perm-a', 'user' || n || '@example.test') from generate_series(1, 20) as n;
select throws_ok(
    $$select * from api.login_lookup('perm-a', 'someone-else@example.test')$$,
    'PT429', null, 'twenty failures from one address across accounts lock the address'
);
select tests.set('pgpsa.ip', '192.0.2.11');
select lives_ok(
    $$select * from api.login_lookup('perm-a', 'someone-else@example.test')$$, 'other addresses are not slowed'
);

select * from finish();
rollback;
