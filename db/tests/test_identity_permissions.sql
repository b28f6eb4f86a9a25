-- Identity and permissions: the seed 003 §7.1 role map, per-user grants and revokes, users per tenant, sign-in.
begin;
select plan(16);

select tests.remember('tenant_a', tests.create_tenant('perm-a'));
select tests.remember('tenant_b', tests.create_tenant('perm-b'));
select tests.remember('designer', tests.create_user(tests.get('tenant_a'), 'designer'));
select tests.remember('finance', tests.create_user(tests.get('tenant_a'), 'finance'));
select tests.remember('manager', tests.create_user(tests.get('tenant_a'), 'manager'));

-- The map itself.
select results_eq(
    $$select permission from app.role_permissions
      where role = 'sales' and permission like any(array['leads:%', 'quotes:%', 'orders:%']) order by 1$$,
    $$values ('leads:read'), ('leads:write'), ('orders:read'), ('quotes:read'), ('quotes:write')$$,
    'sales holds the seed map: leads and quotes read and write, orders read'
);
select is(
    (select array_agg(role order by role) from app.role_permissions where permission = '*'),
    array['admin', 'manager'],
    'manager and admin hold everything'
);

-- Staff of the tenant.
select tests.authenticate_as(tests.get('designer'));
select ok(internal.has_permission('tasks:write'), 'a designer may write tasks');
select ok(not internal.has_permission('invoices:read'), 'a designer may not read invoices');
select tests.authenticate_as(tests.get('manager'));
select ok(internal.has_permission('invoices:write'), 'a manager may do anything');

-- Overrides: a grant adds, a revoke takes away even what the role gives.
select tests.as_superuser();
insert into app.user_permissions (tenant_id, user_id, permission, granted) values
(tests.get('tenant_a'), tests.get('designer'), 'invoices:read', true),
(tests.get('tenant_a'), tests.get('finance'), 'invoices:write', false);
select tests.authenticate_as(tests.get('designer'));
select ok(internal.has_permission('invoices:read'), 'a user grant adds a permission the role lacks');
select tests.authenticate_as(tests.get('finance'));
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
    '23514', null, 'a user role is one of the seven roles'
);

-- Staff without users:write cannot create users; password hashes stay unreadable.
select tests.authenticate_as(tests.get('designer'));
select throws_ok(
    format($$insert into app.users (tenant_id, email, full_name, role, password_hash)
             values (%L, 'new@example.test', 'New', 'admin', 'h')$$, tests.get('tenant_a')),
    '42501', null, 'a designer cannot create users'
);
select throws_ok(
    'select password_hash from app.users', '42501', null, 'staff cannot read password hashes'
);

-- Sign-in lookups find the user case-insensitively, and lock after five failures.
select tests.clear_authentication();
select api.login_failed('perm-a', 'ghost@example.test') from generate_series(1, 5);
select throws_ok(
    $$select * from api.login_lookup('perm-a', 'GHOST@example.test')$$,
    'PT429', 'Too many failed sign-in attempts for this account.',
    'five failures lock sign-in for that account, unknown or not'
);

select * from finish();
rollback;
