-- Portal test helpers: a client with two contacts and everything a portal shows (an accepted quote's order,
-- project, sent deposit invoice; a client-visible task with a comment and a customer file; an open approval; a share
-- link; a payment), and the generated breach search over every portal view and function.

-- A client of the current staff user's tenant, as that user (a manager), with all the above; returns its id.
create or replace function tests.seed_portal_client(p_label text) returns uuid
language plpgsql volatile
as $$
declare
    client uuid;
    first_contact uuid;
    project uuid;
    stage uuid;
    task uuid;
    f record;
    invoice uuid;
    payment uuid;
begin
    client := api.create_client(jsonb_build_object(
        'account_code', 'PORTAL-' || p_label, 'name', 'Portal ' || p_label, 'channel', 'retail'
    ));
    first_contact := api.create_contact(client, jsonb_build_object(
        'name', p_label || ' one', 'email', lower(p_label) || '-one@example.test', 'is_primary', true
    ));
    perform api.create_contact(client, jsonb_build_object('name', p_label || ' two', 'email', lower(p_label) || '-two@example.test'));
    perform tests.sales_template();
    perform api.accept_quote(tests.sales_quote(client));
    select p.id into project from api.projects as p where p.client_id = client;
    select s.id into stage from api.stages as s where s.project_id = project and s.status = 'active';
    select t.id into task from api.tasks as t where t.stage_id = stage order by t.sequence limit 1;
    perform api.update_task(task, '{"client_visible": true}');
    perform api.add_comment(task, '{"body": "For the client", "client_visible": true}');
    select * into f from api.create_file(project, jsonb_build_object(
        'task_id', task, 'file_name', 'proof.pdf', 'content_type', 'application/pdf', 'size', 100,
        'visibility', 'customer'
    ));
    perform api.confirm_file(f.file_id, 100, repeat('b', 64));
    perform api.update_task(task, '{"status": "in_progress"}');
    perform api.update_task(task, '{"status": "in_review"}');
    perform api.request_approval(stage, jsonb_build_object('approver_contact_id', first_contact));
    perform api.rotate_share_link(project);
    select i.id into invoice from api.invoices as i where i.client_id = client limit 1;
    payment := api.record_payment(jsonb_build_object('client_id', client, 'method', 'check', 'amount', 1));
    perform api.apply_payment(payment, jsonb_build_array(jsonb_build_object('invoice_id', invoice, 'amount', 1)));
    return client;
end;
$$;

-- Every uuid of a client's portal-visible world in its tenant (read as the superuser): what another client's
-- contact must never see.
create or replace function tests.client_uuids(p_client_id uuid) returns setof uuid
language sql stable
begin atomic
    with projects as (
        select
            p.tenant_id,
            p.id,
            p.order_id
        from app.projects as p where p.client_id = p_client_id
    ),

    tasks as (
        select t.id from app.tasks as t inner join projects as p on t.tenant_id = p.tenant_id and t.project_id = p.id
    )

    select p_client_id
    union
    select c.id from app.contacts as c
    where c.client_id = p_client_id
    union
    select p.id from projects as p
    union
    select o.id from app.orders as o
    where o.client_id = p_client_id
    union
    select s.id from app.stages as s inner join projects as p on s.tenant_id = p.tenant_id and s.project_id = p.id
    union
    select t.id from tasks as t
    union
    select a.id
    from app.approvals as a
    inner join projects as p on a.tenant_id = p.tenant_id and a.project_id = p.id
    union
    select f.id from app.files as f inner join projects as p on f.tenant_id = p.tenant_id and f.project_id = p.id
    union
    select c.id from app.comments as c inner join tasks as t on c.task_id = t.id
    union
    select i.id from app.invoices as i
    where i.client_id = p_client_id
    union
    select y.id from app.payments as y
    where y.client_id = p_client_id
    union
    select a.id from app.client_contracts as a
    where a.client_id = p_client_id
    union
    select s.id from app.portal_sessions as s
    where s.client_id = p_client_id;
end;

-- One id per kind of another client's rows, and its approval's token and share link, for the argument generator.
create or replace function tests.client_sample(p_client_id uuid) returns table (ids jsonb, codes jsonb)
language sql stable
begin atomic
    select
        jsonb_strip_nulls(jsonb_build_object(
            'client', p_client_id,
            'contact', (
                select c.id from app.contacts as c where c.client_id = p_client_id
                order by c.id limit 1
            ),
            'project', p.id, 'order', p.order_id,
            'task', (
                select t.id from app.tasks as t where t.project_id = p.id
                order by t.sequence limit 1
            ),
            'stage', (
                select s.id from app.stages as s where s.project_id = p.id
                order by s.sequence limit 1
            ),
            'approval', (
                select a.id from app.approvals as a where a.project_id = p.id
                order by a.id limit 1
            ),
            'file', (
                select f.id from app.files as f where f.project_id = p.id
                order by f.id limit 1
            ),
            'invoice', (
                select i.id from app.invoices as i where i.client_id = p_client_id
                order by i.id limit 1
            )
        )) as ids,
        jsonb_build_object(
            'token', (
                select internal.decrypt_secret(a.token_encrypted) from app.approvals as a
                where a.project_id = p.id and a.token_encrypted is not null
                order by a.id limit 1
            ),
            'email', (
                select c.email::text from app.contacts as c where c.client_id = p_client_id
                order by c.id limit 1
            )
        ) as codes
    from app.projects as p
    where p.client_id = p_client_id
    order by p.created_at limit 1;
end;

-- As a portal session: every portal view and every portal function the portal role may call, tried with another
-- client's ids (and its approval token); returns each that showed one of the forbidden ids, named one in an error,
-- or changed anything of the tenants listed.
create or replace function tests.portal_breaches(
    p_session_id uuid, p_other_client_id uuid, p_forbidden uuid[], p_watched uuid[]
)
returns table (door text, breach text)
language plpgsql volatile
as $$
declare
    sample record;
    before text;
    writes text;
    v record;
    f record;
    args text;
    answer text;
    failure text;
    calls integer := 0;
begin
    perform tests.as_superuser();
    select * into sample from tests.client_sample(p_other_client_id);
    perform tests.as_contact(p_session_id);  -- the session's first check records it was seen, before the digest
    perform tests.as_superuser();
    before := (select string_agg(tests.tenant_fingerprint(t), ',' order by t) from unnest(p_watched) as t);
    writes := tests.write_mark();
    for v in
        select c.oid::regclass as view from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = 'portal' and c.relkind = 'v' order by 1
    loop
        perform tests.as_contact(p_session_id);
        execute format('select coalesce(jsonb_agg(to_jsonb(x)), ''[]'')::text from %s as x', v.view) into answer;
        if exists (select from unnest(p_forbidden) as b where strpos(answer, b::text) > 0) then
            door := v.view::text; breach := 'shows an id of another client or tenant'; return next;
        end if;
    end loop;
    for f in
        select p.oid::regprocedure as fn, p.prorettype = 'void'::regtype as void
        from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace
        where
            n.nspname = 'portal' and has_function_privilege('pgpsa_portal', p.oid, 'execute')
            -- Signing out ends the caller's own session (its row, by the session setting): every call after it
            -- would be refused. tests/test_portal.py signs out and shows the token refused.
            and p.proname <> 'end_session'
        order by 1
    loop
        for args in select tests.argument_lists(f.fn, sample.ids, sample.codes) loop
            calls := calls + 1;
            perform tests.as_contact(p_session_id);
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
                get stacked diagnostics failure = message_text;
                answer := failure;
            end;
            perform tests.as_superuser();
            if exists (
                select from unnest(p_forbidden) as b
                where strpos(coalesce(answer, ''), b::text) > 0 and strpos(args, b::text) = 0
            ) then
                door := format('%s (%s)', f.fn, args); breach := coalesce('named another client in: ' || failure,
                    'returned an id of another client'); return next;
            end if;
            if tests.write_mark() <> writes then
                writes := tests.write_mark();
                if (select string_agg(tests.tenant_fingerprint(t), ',' order by t) from unnest(p_watched) as t) <> before then
                    door := format('%s (%s)', f.fn, args); breach := 'changed something it may not'; return next;
                    before := (select string_agg(tests.tenant_fingerprint(t), ',' order by t) from unnest(p_watched) as t);
                end if;
            end if;
        end loop;
    end loop;
    if calls < 13 then
        door := 'the generator'; breach := format('only %s calls were tried', calls); return next;
    end if;
end;
$$;

-- The portal views a session sees nothing in (its own client's rows must show: isolation is not denial).
create or replace function tests.portal_empty_views(p_session_id uuid) returns setof text
language plpgsql volatile
as $$
declare
    v record;
    n integer;
begin
    for v in
        select c.oid::regclass as view from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = 'portal' and c.relkind = 'v' and c.relname <> 'contracts' order by 1
    loop
        perform tests.as_contact(p_session_id);
        execute format('select count(*) from %s', v.view) into n;
        if n = 0 then
            return next v.view::text;
        end if;
    end loop;
    perform tests.as_superuser();
end;
$$;
