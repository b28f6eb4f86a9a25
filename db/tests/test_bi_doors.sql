-- Every bi view, whatever it counts, as each persona: the tenant's BI login sees rows in it (so the refusals below
-- refuse something), and the same rows when it sets another tenant; another tenant's BI login sees none of them;
-- staff, a portal contact and a request before sign-in cannot read the bi schema at all (42501). And the catalog:
-- the schema says its contract version, and every bi view and column says what it counts.
begin;
select plan(3 + 6 * (select count(*)::integer from pg_class where relnamespace = 'bi'::regnamespace and relkind = 'v'));

select tests.remember('tenant', tests.bi_tenant('bi-doors'));
select tests.remember('other', tests.create_tenant('bi-doors-other'));
select tests.remember('mia', (select u.id from app.users as u where u.email = 'mia@bi-doors.test'));
select tests.remember(
    'acme', (select c.id from app.clients as c where c.tenant_id = tests.get('tenant') and c.name = 'Acme')
);
select tests.set('tests.login', internal.create_db_login('bi', tests.get('tenant'), 'doors', 'x'));
select tests.set('tests.other_login', internal.create_db_login('bi', tests.get('other'), 'doors', 'x'));

select tests.as_login(current_setting('tests.login')::name);
select tests.set(
    'tests.counts', (select jsonb_object_agg(c.view_name, c.row_count) from tests.row_counts('bi') as c)::text
);
select cmp_ok(c.row_count, '>', 0::bigint, format('%s: the tenant''s BI login sees its rows', c.view_name))
from tests.row_counts('bi') as c;
select tests.set('pgpsa.tenant_id', tests.get('other')::text);
select
    is(
        c.row_count, (current_setting('tests.counts')::jsonb ->> c.view_name)::bigint,
        format('%s: and the same rows when it sets another tenant', c.view_name)
    )
from tests.row_counts('bi') as c;

select tests.as_login(current_setting('tests.other_login')::name);
select tests.set('pgpsa.tenant_id', tests.get('tenant')::text);
select is(c.row_count, 0::bigint, format('%s: another tenant''s BI login sees none of them', c.view_name))
from tests.row_counts('bi') as c;

select tests.as_superuser();
select tests.set('tests.views', (
    select string_agg(c.oid::regclass::text, ' ' order by c.relname) from pg_class as c
    where c.relnamespace = 'bi'::regnamespace and c.relkind = 'v'
));
select tests.authenticate_as(tests.get('mia'));
select throws_ok(format('select * from %s', v), '42501', null, format('%s: staff (a manager) cannot read it', v))
from unnest(string_to_array(current_setting('tests.views'), ' ')) as v;
select tests.as_portal(tests.get('tenant'), tests.get('acme'));
select throws_ok(format('select * from %s', v), '42501', null, format('%s: nor can a portal contact', v))
from unnest(string_to_array(current_setting('tests.views'), ' ')) as v;
select tests.as_anon();
select throws_ok(format('select * from %s', v), '42501', null, format('%s: nor a request before sign-in', v))
from unnest(string_to_array(current_setting('tests.views'), ' ')) as v;

select tests.as_superuser();
select isnt_empty(
    $$select from pg_class as c where c.relnamespace = 'bi'::regnamespace and c.relkind = 'v'$$,
    'there are bi views to try'
);
select matches(
    obj_description('bi'::regnamespace, 'pg_namespace'), 'contract version [0-9]+',
    'the bi schema says the version of its contract'
);
select is_empty(
    $$select c.relname, a.attname from pg_class as c
      left join pg_attribute as a on c.oid = a.attrelid and a.attnum > 0 and not a.attisdropped
      where c.relnamespace = 'bi'::regnamespace and c.relkind = 'v'
        and (coalesce(obj_description(c.oid, 'pg_class'), '') = '' or coalesce(col_description(c.oid, a.attnum), '') = '')$$,
    'every bi view and each of its columns has a comment'
);

select * from finish();
rollback;
