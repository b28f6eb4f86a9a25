-- Generated isolation tests over the catalog: every tenant table against the api door's policies, and every api
-- view and every function a request role can call, each tried as tenant A with tenant B's ids.

-- Every way the api door, acting for staff of tenant A, could touch tenant B's rows in any tenant table; returns
-- what got through. The door is what every api view and function runs as, so this tries its RLS policies
-- directly. Ordinary triggers are off (session_replication_role = replica) so that RLS alone decides: a validation
-- trigger that happens to refuse a foreign row first would otherwise hide a missing policy.
create or replace function tests.isolation_breaches(p_user_a uuid, p_tenant_b uuid)
returns table (table_name text, breach text)
language plpgsql volatile
as $$
declare
    t record;
    sample jsonb;
    n bigint;
    cols text;
    upd_col text;
begin
    perform tests.as_superuser();
    perform set_config('session_replication_role', 'replica', true);
    for t in select * from tests.tenant_tables order by 4 loop
        perform tests.as_superuser();
        execute format('select to_jsonb(x) from %s as x where tenant_id = $1 limit 1', t.qname)
        into sample using p_tenant_b;
        if sample is null then
            table_name := t.qname; breach := 'no row of tenant B to protect: extend tests.seed_tenant'; return next;
            continue;
        end if;
        select string_agg(quote_ident(a.attname), ', ') into cols
        from pg_attribute as a
        where a.attrelid = t.relid and a.attnum > 0 and not a.attisdropped and a.attidentity = ''
          and has_column_privilege('pgpsa_door_api', t.relid, a.attnum, 'INSERT');
        select quote_ident(a.attname) into upd_col
        from pg_attribute as a
        where a.attrelid = t.relid and a.attnum > 0 and not a.attisdropped
          and has_column_privilege('pgpsa_door_api', t.relid, a.attnum, 'UPDATE')
        limit 1;

        perform tests.as_api_door(p_user_a);
        if has_table_privilege('pgpsa_door_api', t.relid, 'SELECT')
            or has_any_column_privilege('pgpsa_door_api', t.relid, 'SELECT') then
            begin
                execute format('select count(*) from %s where tenant_id = $1', t.qname) into n using p_tenant_b;
                if n > 0 then
                    table_name := t.qname; breach := 'read'; return next;
                end if;
            exception when insufficient_privilege then null;  -- tenant_id is not among the granted columns
            end;
        end if;
        if upd_col is not null then
            begin
                execute format('update %s set %s = %2$s where tenant_id = $1', t.qname, upd_col) using p_tenant_b;
                get diagnostics n = row_count;
                if n > 0 then
                    table_name := t.qname; breach := 'update'; return next;
                end if;
            exception
                when insufficient_privilege then null;
                when others then table_name := t.qname; breach := 'update reached a row: ' || sqlerrm; return next;
            end;
        end if;
        if has_table_privilege('pgpsa_door_api', t.relid, 'DELETE') then
            begin
                execute format('delete from %s where tenant_id = $1', t.qname) using p_tenant_b;
                get diagnostics n = row_count;
                if n > 0 then
                    table_name := t.qname; breach := 'delete'; return next;
                end if;
            exception
                when insufficient_privilege then null;
                when others then table_name := t.qname; breach := 'delete reached a row: ' || sqlerrm; return next;
            end;
        end if;
        if cols is not null then
            begin
                execute format('insert into %1$s (%2$s) select %2$s from jsonb_populate_record(null::%1$s, $1)',
                    t.qname, cols) using sample;
                table_name := t.qname; breach := 'insert with tenant B''s tenant_id'; return next;
            exception
                when insufficient_privilege then null;  -- refused by the policy's with check
                when others then
                    table_name := t.qname; breach := 'insert passed the policy, then: ' || sqlerrm; return next;
            end;
        end if;

        -- Nobody: the door with no tenant and no user set.
        perform tests.as_api_door(null);
        begin
            execute format('select count(*) from %s', t.qname) into n;
            if n > 0 then
                table_name := t.qname; breach := 'read with no tenant set'; return next;
            end if;
        exception when insufficient_privilege then null;
        end;
        if cols is not null then
            begin
                execute format('insert into %1$s (%2$s) select %2$s from jsonb_populate_record(null::%1$s, $1)',
                    t.qname, cols) using sample;
                table_name := t.qname; breach := 'insert with no tenant set'; return next;
            exception
                when insufficient_privilege then null;
                when others then
                    table_name := t.qname; breach := 'insert with no tenant passed the policy, then: ' || sqlerrm;
                    return next;
            end;
        end if;
    end loop;
    perform tests.as_superuser();
    perform set_config('session_replication_role', 'origin', true);
end;
$$;

-- Every uuid in a tenant's rows (ids and references), read as the superuser: what tenant A must never see.
create or replace function tests.tenant_uuids(p_tenant_id uuid) returns setof uuid
language plpgsql stable
as $$
declare
    t record;
begin
    return next p_tenant_id;
    for t in select * from tests.tenant_tables loop
        return query execute format(
            'select distinct (e.value #>> ''{}'')::uuid from %s as x, jsonb_each(to_jsonb(x)) as e '
            'where x.tenant_id = $1 and jsonb_typeof(e.value) = ''string'' '
            'and e.value #>> ''{}'' ~ ''^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$''', t.qname
        ) using p_tenant_id;
    end loop;
end;
$$;

-- A digest of everything a tenant has, read as the superuser: a change means something wrote to the tenant.
create or replace function tests.tenant_fingerprint(p_tenant_id uuid) returns text
language plpgsql stable
as $$
declare
    t record;
    part text;
    whole text := '';
begin
    for t in select * from tests.tenant_tables order by 4 loop
        execute format(
            'select md5(coalesce(string_agg(to_jsonb(x)::text, '','' order by to_jsonb(x)::text), '''')) '
            'from %s as x where x.tenant_id = $1', t.qname
        ) into part using p_tenant_id;
        whole := whole || part;
    end loop;
    return md5(whole);
end;
$$;

-- One id of tenant B per kind of row, keyed by the singular of its table: {"task": ..., "time_entry": ...}.
create or replace function tests.sample_ids(p_tenant_id uuid) returns jsonb
language plpgsql stable
as $$
declare
    t record;
    id uuid;
    ids jsonb := jsonb_build_object('tenant', p_tenant_id);
begin
    for t in
        select tt.*, regexp_replace(regexp_replace(tt.table_name, 'ies$', 'y'), '([^s])s$', '\1') as singular
        from tests.tenant_tables as tt
        where exists (
            select from pg_attribute as a where a.attrelid = tt.relid and a.attname = 'id' and a.atttypid = 'uuid'::regtype
        )
    loop
        execute format('select x.id from %s as x where x.tenant_id = $1 order by x.id limit 1', t.qname)
        into id using p_tenant_id;
        if id is not null then
            ids := ids || jsonb_build_object(t.singular, id);
        end if;
    end loop;
    return ids;
end;
$$;

-- A body for a shape domain (db/migrations/0015_shapes.sql): the keys of p_body that are fields of the shape the
-- domain's check names, so the call gets past the shape and tries tenant B's ids on the rules behind it.
create or replace function tests.shaped_body(p_body jsonb, p_domain regtype) returns jsonb
language sql stable
begin atomic
    select coalesce(jsonb_object_agg(e.key, e.value), '{}')
    from jsonb_each(p_body) as e
    where exists (
        select from pg_constraint as k
        cross join
            lateral regexp_match(pg_get_constraintdef(k.oid), 'conforms\w*\(VALUE, ''([a-z_.]+)''') as m (shape)
        inner join pg_type as s on s.oid = m.shape[1]::regtype
        inner join pg_attribute as a on s.typrelid = a.attrelid
        where k.contypid = p_domain and a.attname = e.key and a.attnum > 0 and not a.attisdropped
    );
end;

-- The argument lists to try on a function, as SQL literals, from its parameters' names and types: a uuid named
-- after a kind of row (p_task_id, or p_id of api.update_task) gets tenant B's id of that kind, an unnamed one each
-- of B's ids in turn; a jsonb gets an object naming every one of B's ids (and the usual fields), a body's shape
-- domain (a domain over jsonb) the fields of that object its shape has; a text that names
-- a code gets B's code. Other types get a plain value.
create or replace function tests.argument_lists(p_function regprocedure, p_ids jsonb, p_codes jsonb)
returns setof text
language plpgsql stable
as $$
declare
    fn record;
    params record;
    own_kind text;
    body jsonb;
    lists text[] := array[''];
    choices text[];
    next_lists text[];
    kind text;
begin
    select p.proname, p.proargnames, p.proargtypes::oid[]::regtype[] as types, p.pronargs into fn
    from pg_proc as p where p.oid = p_function;
    own_kind := regexp_replace(fn.proname,
        '^(update|delete|archive|remind|confirm|discard|send|void|accept|reject|activate|terminate|unassign|unapply|'
        || 'record|apply|add|log|start|complete|create|generate|begin|instantiate|assign|scan|request|bill|set)_', '');
    body := (select jsonb_object_agg(k || '_id', v) from jsonb_each(p_ids) as e (k, v)) || jsonb_build_object(
        'id', p_ids -> own_kind, 'name', 'Isolation', 'title', 'Isolation', 'description', 'Isolation',
        'body', 'Isolation', 'hours', 1, 'amount', 1, 'quantity', 1, 'unit_price', 1, 'file_name', 'i.pdf',
        'content_type', 'application/pdf', 'size_bytes', 10, 'size', 10, 'type', 'note', 'project_stage_id',
        p_ids -> 'stage', 'account_code', 'ISO-1', 'channel', 'retail',
        'method', 'check', 'start_date', '2026-01-01', 'status', 'in_progress', 'assignee_ids',
        jsonb_build_array(p_ids -> 'user'), 'items', jsonb_build_array(p_ids), 'lines', jsonb_build_array(p_ids),
        'applications', jsonb_build_array(jsonb_build_object('invoice_id', p_ids -> 'invoice', 'amount', 1))
    );
    for params in
        select a.i, coalesce(fn.proargnames[a.i], '') as name, fn.types[a.i - 1] as type
        from generate_series(1, fn.pronargs) as a (i)
    loop
        kind := regexp_replace(regexp_replace(params.name, '^p_', ''), '_id$', '');
        choices := case
            when params.type = 'uuid'::regtype and p_ids ? kind then array[quote_literal(p_ids ->> kind) || '::uuid']
            when params.type = 'uuid'::regtype and params.name in ('p_id', '') and p_ids ? own_kind
                then array[quote_literal(p_ids ->> own_kind) || '::uuid']
            when params.type = 'uuid'::regtype
                then array(select quote_literal(v) || '::uuid' from jsonb_each_text(p_ids) as e (k, v))
            when params.type = 'jsonb'::regtype then array[quote_literal(body::text) || '::jsonb']
            when (select t.typbasetype from pg_type as t where t.oid = params.type) = 'jsonb'::regtype
                then array[quote_literal(tests.shaped_body(body, params.type)::text) || '::jsonb']
            when params.type in ('text'::regtype, 'character varying'::regtype)
                then array[quote_literal(coalesce(p_codes ->> kind, p_codes ->> params.name, 'Isolation'))]
            when params.type = 'date'::regtype then array['''2026-01-15''::date']
            when params.type in ('integer'::regtype, 'bigint'::regtype, 'numeric'::regtype, 'smallint'::regtype)
                then array['1']
            when params.type = 'boolean'::regtype then array['true']
            when params.type = 'uuid[]'::regtype
                then array['array[' || quote_literal(coalesce(p_ids ->> 'user', gen_random_uuid()::text)) || ']::uuid[]']
            else array['null::' || params.type::text]
        end;
        next_lists := '{}';
        for i in 1 .. cardinality(lists) loop
            for j in 1 .. cardinality(choices) loop
                next_lists := next_lists || (lists[i] || case when lists[i] = '' and params.i = 1 then '' else ', ' end
                    || choices[j]);
            end loop;
        end loop;
        lists := next_lists;
    end loop;
    return query select unnest(lists);
end;
$$;

-- Every api view staff of tenant A can read, and every function a request role of tenant A can call (staff, the
-- portal's contact, the worker), tried with tenant B's ids: returns each view that showed one of B's ids, and each
-- call that returned one, said one in an error, or changed anything of B.
create or replace function tests.door_breaches(p_user_a uuid, p_client_a uuid, p_tenant_b uuid)
returns table (door text, breach text)
language plpgsql volatile
as $$
declare
    tenant_a uuid;
    b_ids uuid[];
    ids jsonb;
    codes jsonb;
    before text;
    writes text;
    v record;
    f record;
    args text;
    answer text;
    failure text;
    detail text;
    hint text;
    calls integer := 0;
    named bigint;
begin
    perform tests.as_superuser();
    select u.tenant_id into tenant_a from app.users as u where u.id = p_user_a;
    b_ids := array(select tests.tenant_uuids(p_tenant_b));
    ids := tests.sample_ids(p_tenant_b);
    codes := jsonb_build_object(
        'ticket_code', (select j.ticket_code from app.job_tickets as j where j.tenant_id = p_tenant_b limit 1),
        'code', (select j.ticket_code from app.job_tickets as j where j.tenant_id = p_tenant_b limit 1),
        'tenant_slug', (select t.slug from app.tenants as t where t.id = p_tenant_b),
        'email', (select u.email from app.users as u where u.tenant_id = p_tenant_b order by u.created_at limit 1)
    );
    before := tests.tenant_fingerprint(p_tenant_b);
    writes := tests.write_mark();

    -- Views, as staff of A.
    for v in
        select c.oid::regclass as view from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = 'api' and c.relkind = 'v' order by 1
    loop
        perform tests.authenticate_as(p_user_a);
        execute format('select coalesce(jsonb_agg(to_jsonb(x)), ''[]'')::text from %s as x', v.view) into answer;
        if exists (select from unnest(b_ids) as b where strpos(answer, b::text) > 0) then
            door := v.view::text; breach := 'shows an id of tenant B'; return next;
        end if;
        -- A read that names its tenant (as the service's do) is checked against the policies once, not per row:
        -- naming B must still read nothing of B.
        if exists (select from pg_attribute as a where a.attrelid = v.view and a.attname = 'tenant_id') then
            execute format('select count(*) from %s as x where x.tenant_id = %L', v.view, p_tenant_b) into named;
            if named > 0 then
                door := v.view::text; breach := 'names tenant B and reads its rows'; return next;
            end if;
        end if;
    end loop;

    -- Functions, each as the request role of tenant A that may call it.
    for f in
        select p.oid::regprocedure as fn, p.prorettype = 'void'::regtype as void, r.persona
        from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace
        cross join lateral (
            select 'staff' as persona where has_function_privilege('pgpsa_staff', p.oid, 'execute')
            union all select 'portal' where has_function_privilege('pgpsa_portal', p.oid, 'execute')
            union all select 'worker' where has_function_privilege('pgpsa_worker', p.oid, 'execute')
        ) as r
        -- The worker's list of tenants is every tenant's id by purpose (only the worker may call it).
        where n.nspname in ('api', 'portal') and p.proname not in ('constraint_message', 'worker_tenants')
        order by 1, 3
    loop
        for args in select tests.argument_lists(f.fn, ids, codes) loop
            calls := calls + 1;
            case f.persona
                when 'staff' then perform tests.authenticate_as(p_user_a);
                when 'portal' then perform tests.as_portal(tenant_a, p_client_a);
                else perform tests.as_worker(tenant_a);
            end case;
            answer := null;
            failure := null;
            begin
                if f.void then
                    execute format('select %s(%s)', f.fn::regproc, args);
                else
                    execute format('select coalesce(jsonb_agg(to_jsonb(x)), ''[]'')::text from %s(%s) as x',
                        f.fn::regproc, args) into answer;
                end if;
            exception when others then
                get stacked diagnostics failure = message_text, detail = pg_exception_detail, hint = pg_exception_hint;
                answer := concat_ws(' ', failure, detail, hint);
            end;
            perform tests.as_superuser();
            -- An id of B the caller sent, repeated back ("No task with id ..."), tells nothing; any other does.
            if exists (
                select from unnest(b_ids) as b
                where strpos(coalesce(answer, ''), b::text) > 0 and strpos(args, b::text) = 0
            ) then
                door := format('%s as %s (%s)', f.fn, f.persona, args);
                breach := case when failure is null then 'returned an id of tenant B' else 'named tenant B in: ' || failure end;
                return next;
            end if;
            if tests.write_mark() <> writes then
                writes := tests.write_mark();
                if tests.tenant_fingerprint(p_tenant_b) <> before then
                    door := format('%s as %s (%s)', f.fn, f.persona, args); breach := 'changed tenant B';
                    return next;
                    before := tests.tenant_fingerprint(p_tenant_b);
                end if;
            end if;
        end loop;
    end loop;
    if calls < 50 then
        door := 'the generator'; breach := format('only %s calls were tried', calls); return next;
    end if;
    perform tests.as_superuser();
end;
$$;
