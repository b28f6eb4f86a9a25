-- Generated over the catalog: 3 tenants x 2 clients x 2 contacts, each contact's session reading every portal view
-- and calling every portal function with the ids (and approval token) of another client of its own tenant and of a
-- client of another tenant: no id of theirs shows, is named in an error, or changes.
begin;
select plan(3);

select tests.remember('tenant_' || n, tests.create_tenant('portal-iso-' || n)) from generate_series(1, 3) as n;
do $$
begin
    for n in 1 .. 3 loop
        perform tests.authenticate_as(tests.create_user(tests.get('tenant_' || n), 'manager'));
        perform tests.seed_portal_client('T' || n || 'A');
        perform tests.seed_portal_client('T' || n || 'B');
        perform tests.as_superuser();
    end loop;
end
$$;
select tests.as_superuser();

create temporary table sessions on commit drop as
select
    c.tenant_id,
    c.client_id,
    tests.portal_session(c.id) as session_id
from app.contacts as c
where c.tenant_id in (tests.get('tenant_1'), tests.get('tenant_2'), tests.get('tenant_3'));

select is((select count(*)::integer from sessions), 12, 'twelve contacts, each with a session');

select is_empty(
    'select s.session_id, e from sessions as s cross join lateral tests.portal_empty_views(s.session_id) as e',
    'every contact sees its own client''s orders, projects, stages, tasks, approvals, files, comments, invoices'
);

-- Each session against its neighbour client (same tenant) and the first client of the next tenant.
create temporary table breaches on commit drop as
select b.*
from sessions as s
cross join
    lateral (
        select
            o.id as other_client,
            o.tenant_id
        from app.clients as o
        where o.tenant_id = s.tenant_id and o.id <> s.client_id
        union all
        select
            o.id,
            o.tenant_id
        from app.clients as o
        where
            o.tenant_id <> s.tenant_id
            and o.tenant_id in (tests.get('tenant_1'), tests.get('tenant_2'), tests.get('tenant_3'))
        order by 1 limit 2
    ) as target
cross join lateral tests.portal_breaches(
    s.session_id, target.other_client,
    array(
        select tests.client_uuids(target.other_client)
        union
        select tests.tenant_uuids(t) from unnest(array[
            tests.get('tenant_1'), tests.get('tenant_2'),
            tests.get('tenant_3')
        ]) as t where t <> s.tenant_id
        except
        select tests.client_uuids(s.client_id)
        except
        select s.tenant_id
    ),
    array[s.tenant_id, target.tenant_id]
) as b;

select is_empty('select * from breaches', 'no portal view or function crosses a client or a tenant, for any contact');

select * from finish();
rollback;
