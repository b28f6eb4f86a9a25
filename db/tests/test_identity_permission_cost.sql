-- What a permission costs: the request's permission cache (api.begin_request, in one statement) says what the
-- tables say, and a permission policy is checked once per statement (a one-time filter), never once per row.
begin;
select plan(18);

select tests.remember('tenant_a', tests.create_tenant('cost-a'));
select tests.remember('designer', tests.create_user(tests.get('tenant_a'), 'designer'));
select tests.remember('finance', tests.create_user(tests.get('tenant_a'), 'finance'));
select tests.remember('manager', tests.create_user(tests.get('tenant_a'), 'manager'));
select tests.remember('admin', tests.create_user(tests.get('tenant_a'), 'admin'));
select tests.remember('reader', tests.create_user(tests.get('tenant_a'), 'sales'));
select tests.remember('gone', tests.create_user(tests.get('tenant_a'), 'sales'));
insert into app.user_permissions (tenant_id, user_id, permission, granted) values
(tests.get('tenant_a'), tests.get('designer'), 'invoices:read', true),
(tests.get('tenant_a'), tests.get('finance'), 'invoices:write', false),
(tests.get('tenant_a'), tests.get('reader'), 'users:read', true),
(tests.get('tenant_a'), tests.get('reader'), 'clients:write', false),
(tests.get('tenant_a'), tests.get('manager'), '*', false);
update app.users set disabled_at = now()
where id = tests.get('gone');

-- The plan of a query as the current caller, one line a node.
create function pg_temp.plan_of(p_query text) returns setof text
language plpgsql volatile
as $$
begin
    return query execute 'explain (costs off) ' || p_query;
end;
$$;

-- The cache (one statement) names what lookup_permission answers permission by permission, grants and revokes
-- included: the same names, each once, each between commas, for the user asked.
create function pg_temp.permissions_agree(p_user uuid) returns boolean
language plpgsql volatile
as $$
declare
    cache text;
begin
    perform tests.as_owner(tests.get('tenant_a'), p_user);
    cache := internal.permission_cache();
    return split_part(cache, '|', 1) = p_user::text
        and split_part(cache, '|', 2) like ',%,'
        and array(
            select n from unnest(string_to_array(trim(both ',' from split_part(cache, '|', 2)), ',')) as n
            where n <> '' order by n
        ) = array(
            select pm.name::text from app.permissions as pm where internal.lookup_permission(pm.name) order by pm.name
        );
end;
$$;

select ok(pg_temp.permissions_agree(tests.get('designer')), 'the cache holds a user grant (designer + invoices:read)');
select ok(pg_temp.permissions_agree(tests.get('finance')), 'the cache drops a user revoke (finance - invoices:write)');
select ok(pg_temp.permissions_agree(tests.get('reader')), 'a grant and a revoke together');
select ok(pg_temp.permissions_agree(tests.get('manager')), 'a revoke of * takes everything, even a manager''s');

-- The service's last statement before the request's first query.
select tests.authenticate_as(tests.get('finance'));
select api.begin_request();
select is(
    split_part(current_setting('pgpsa.permissions'), '|', 1), tests.get('finance')::text,
    'begin_request sets the cache for the request''s user'
);
select ok(
    string_to_array(split_part(current_setting('pgpsa.permissions'), '|', 2), ',') @> '{payments:write,invoices:read}'
    and not string_to_array(split_part(current_setting('pgpsa.permissions'), '|', 2), ',') @> '{invoices:write}',
    'with the user''s grants and without the revoked one'
);
-- The cache is searched by name (strpos between commas): whatever the shape of the question, it answers what the
-- tables answer, for every permission there is: one name, the second of two, the third of three (the array's way),
-- an array that does not start at 1, and a name beside a NULL.
create function pg_temp.cache_agrees(p_user uuid) returns boolean
language plpgsql volatile
as $$
begin
    perform tests.as_owner(tests.get('tenant_a'), p_user);
    perform tests.set('pgpsa.permissions', internal.permission_cache());
    return not exists (
        select
        from app.permissions as pm
        cross join lateral unnest(array[
            internal.has_any_permission(array[pm.name]),
            internal.has_any_permission(array['nothing:held', pm.name]),
            internal.has_any_permission(array['nothing:held', 'nor:this', pm.name]),
            internal.has_any_permission(('[0:0]={' || pm.name || '}')::text[]),
            internal.has_any_permission(array[pm.name, null])
        ]) as asked (answer)
        where asked.answer is distinct from internal.lookup_permission(pm.name)
    );
end;
$$;
select ok(
    pg_temp.cache_agrees(tests.get('designer')) and pg_temp.cache_agrees(tests.get('finance'))
    and pg_temp.cache_agrees(tests.get('reader')) and pg_temp.cache_agrees(tests.get('manager'))
    and pg_temp.cache_agrees(tests.get('admin')),
    'the cache answers as the tables do, for every permission and every shape of question'
);
select tests.as_owner(tests.get('tenant_a'), tests.get('designer'));
select tests.set('pgpsa.permissions', internal.permission_cache());
select ok(
    internal.has_any_permission('{contracts:read,invoices:read}'),
    'two names as policies pass them: the second one held (a user grant) is enough'
);
select ok(
    not internal.has_any_permission('{contracts:read,contracts:write}'),
    'two names, neither held: refused'
);
select tests.as_owner(tests.get('tenant_a'), tests.get('admin'));
select tests.set('pgpsa.permissions', internal.permission_cache());
select ok(
    not internal.has_permission('tasks:al') and not internal.has_permission('asks:all')
    and not internal.has_permission('tasks:all,invoices:read'),
    'part of a held name, or two names in one, is not a permission'
);
select ok(internal.has_permission('tasks:all'), 'while the whole name is');
select tests.set('pgpsa.permissions', tests.get('admin')::text || '|,tasks:all,invoices:read,');
select ok(
    not internal.has_permission('tasks:all,invoices:read') and internal.has_permission('invoices:read'),
    'two names in one string are refused even where the cache holds them side by side'
);
select throws_ok(
    'select internal.require_permission(null)', 'PT403', null,
    'no name at all is refused, never waved through'
);

select tests.authenticate_as(tests.get('gone'));
select throws_ok(
    'select api.begin_request()', 'PT401', 'The user of this token no longer exists or is disabled.',
    'a disabled user''s request ends there'
);
select tests.as_anon();
select throws_ok('select api.begin_request()', '42501', null, 'only a signed-in request has permissions to cache');

-- The permission test is planned once per statement: a one-time filter, never a per-row filter.
select tests.authenticate_as(tests.get('admin'));
select api.begin_request();
select is_empty(
    $$select line from pg_temp.plan_of('select * from api.clients') as line
      where line like '%Filter:%' and line not like '%One-Time Filter:%' and line like '%pgpsa.permissions%'$$,
    'reading clients, no row is filtered by a permission test'
);
select isnt_empty(
    $$select line from pg_temp.plan_of('select * from api.clients') as line
      where line like '%One-Time Filter:%' and line like '%pgpsa.permissions%'$$,
    'the permission test is a one-time filter'
);
select tests.authenticate_as(tests.get('finance'));
select api.begin_request();
select is_empty('select * from api.projects', 'without projects:read the one-time filter lets no project through');

select * from finish();
rollback;
