-- Test helpers (schema tests), loaded into the test database by the pytest harness before the pgTAP files run.
-- Personas: staff of a tenant (authenticate_as), another tenant's staff, nobody (clear_authentication), BI login.

create schema if not exists tests;
grant usage on schema tests to public;

create or replace function tests.create_tenant(p_slug text) returns uuid
language sql volatile
begin atomic
    select internal.create_tenant(p_slug, initcap(p_slug) || ' Ltd');
end;

create or replace function tests.create_user(p_tenant_id uuid, p_role text, p_email text default null) returns uuid
language sql volatile
begin atomic
    select internal.create_user(
        p_tenant_id, coalesce(p_email, p_role || '-' || left(gen_random_uuid()::text, 8) || '@example.test'),
        initcap(p_role) || ' Person', p_role, 'not-a-real-hash'
    );
end;

-- Back to the test's own superuser, with no request context (every persona switch starts here).
create or replace function tests.as_superuser() returns void
language plpgsql volatile
as $$
begin
    execute 'set local session authorization default';
    perform set_config('role', 'none', true);
    perform set_config('pgpsa.tenant_id', '', true);
    perform set_config('pgpsa.user_id', '', true);
    perform set_config('pgpsa.permissions', '', true);
    perform set_config('pgpsa.client_id', '', true);
    perform set_config('pgpsa.contact_id', '', true);
    perform set_config('pgpsa.portal_session_id', '', true);
    perform set_config('pgpsa.project_id', '', true);
    perform set_config('pgpsa.portal_capabilities', '', true);
    perform set_config('pgpsa.portal_project_ids', '', true);
    perform set_config('pgpsa.portal_order_ids', '', true);
    perform set_config('pgpsa.portal_task_ids', '', true);
end;
$$;

-- As a request of the service: its login, a request role, and (set before) the context it trusts.
create or replace function tests.as_service(p_role name) returns void
language plpgsql volatile
as $$
begin
    execute 'set local session authorization pgpsa_service';
    perform set_config('role', p_role, true);
end;
$$;

-- Become a staff user for the rest of the transaction, as the service does per request.
create or replace function tests.authenticate_as(p_user_id uuid) returns void
language plpgsql volatile
as $$
begin
    perform tests.as_superuser();
    perform set_config('pgpsa.tenant_id', (select u.tenant_id::text from app.users as u where u.id = p_user_id), true);
    perform set_config('pgpsa.user_id', p_user_id::text, true);
    perform tests.as_service('pgpsa_staff');
end;
$$;

-- Staff role with no tenant and no user: what a request with no valid identity sees.
create or replace function tests.clear_authentication() returns void
language plpgsql volatile
as $$
begin
    perform tests.as_superuser();
    perform tests.as_service('pgpsa_staff');
end;
$$;

-- The pre-sign-in role, the Stripe webhook's and the worker's (with a tenant, as the worker sets one per run).
create or replace function tests.as_anon() returns void
language plpgsql volatile
as $$
begin
    perform tests.as_superuser();
    perform tests.as_service('pgpsa_anon');
end;
$$;

create or replace function tests.as_webhook() returns void
language plpgsql volatile
as $$
begin
    perform tests.as_superuser();
    perform tests.as_service('pgpsa_webhook');
end;
$$;

create or replace function tests.as_worker(p_tenant_id uuid default null) returns void
language plpgsql volatile
as $$
begin
    perform tests.as_superuser();
    perform set_config('pgpsa.tenant_id', coalesce(p_tenant_id::text, ''), true);
    perform tests.as_service('pgpsa_worker');
end;
$$;

-- A client contact on the portal: the service names the tenant, the client and the contact.
create or replace function tests.as_portal(p_tenant_id uuid, p_client_id uuid, p_contact_id uuid default null)
returns void
language plpgsql volatile
as $$
begin
    perform tests.as_superuser();
    perform set_config('pgpsa.tenant_id', p_tenant_id::text, true);
    perform set_config('pgpsa.client_id', p_client_id::text, true);
    perform set_config('pgpsa.contact_id', coalesce(p_contact_id::text, ''), true);
    perform tests.as_service('pgpsa_portal');
end;
$$;

-- The owner, in a tenant (as a user of it, when given): for rules that must hold whoever writes, the owner too.
-- A portal session's request, as the service makes it: its context set, the portal role, the session checked.
create or replace function tests.as_contact(p_session_id uuid) returns void
language plpgsql volatile
as $$
declare
    s record;
begin
    perform tests.as_superuser();
    select * into s from app.portal_sessions as x where x.id = p_session_id;
    perform set_config('pgpsa.tenant_id', s.tenant_id::text, true);
    perform set_config('pgpsa.client_id', s.client_id::text, true);
    perform set_config('pgpsa.contact_id', s.contact_id::text, true);
    perform set_config('pgpsa.portal_session_id', s.id::text, true);
    perform set_config('pgpsa.project_id', coalesce(s.project_id::text, ''), true);
    perform tests.as_service('pgpsa_portal');
    perform portal.check_session();
end;
$$;

-- A live portal session for a contact (of the whole client, or of one project), made as sign-in makes it.
create or replace function tests.portal_session(p_contact_id uuid, p_project_id uuid default null) returns uuid
language plpgsql volatile
as $$
declare
    c record;
    new_id uuid;
begin
    perform tests.as_superuser();
    select * into c from app.contacts as x where x.id = p_contact_id;
    insert into app.portal_sessions (tenant_id, client_id, contact_id, project_id, way_in, expires_at)
    values (c.tenant_id, c.client_id, c.id, p_project_id, case when p_project_id is null then 'magic_link' else 'code' end,
        now() + interval '1 hour')
    returning id into new_id;
    return new_id;
end;
$$;

create or replace function tests.as_owner(p_tenant_id uuid, p_user_id uuid default null) returns void
language plpgsql volatile
as $$
begin
    perform tests.as_superuser();
    perform set_config('pgpsa.tenant_id', p_tenant_id::text, true);
    perform set_config('pgpsa.user_id', coalesce(p_user_id::text, ''), true);
    execute 'set local session authorization pgpsa_owner';
end;
$$;

-- The api door itself (what every api view and function runs as) with a staff user's context: the table-level
-- policies, as the generated isolation test tries them.
create or replace function tests.as_api_door(p_user_id uuid default null) returns void
language plpgsql volatile
as $$
begin
    perform tests.as_superuser();
    if p_user_id is not null then
        perform set_config(
            'pgpsa.tenant_id', (select u.tenant_id::text from app.users as u where u.id = p_user_id), true
        );
        perform set_config('pgpsa.user_id', p_user_id::text, true);
    end if;
    execute 'set local session authorization pgpsa_owner';
    perform set_config('role', 'pgpsa_door_api', true);
end;
$$;

-- A bound login (BI or app) of a tenant, made for the test (rolled back with it), and a session as that login.
create or replace function tests.as_login(p_login name) returns void
language plpgsql volatile
as $$
begin
    perform tests.as_superuser();
    execute format('set local session authorization %I', p_login);
end;
$$;

-- A mark that moves with every write this transaction makes, table by table: the rows each table had inserted,
-- updated or deleted (pg_stat_xact_all_tables, subtransactions included) and its file, which TRUNCATE replaces. A
-- sum of the counts would not do: a TRUNCATE takes its table's counts off when its subtransaction ends, and as many
-- rows written elsewhere leave the sum where it was. While the mark stands still no table changed, so a digest of a
-- tenant (tests.tenant_fingerprint, some 50 queries) need not be made again after each call an attacker tries.
create or replace function tests.write_mark() returns text
language plpgsql volatile
as $$
begin
    if not current_setting('track_counts')::boolean then
        raise exception 'tests.write_mark sees no writes with track_counts off';
    end if;
    return (
        select md5(string_agg(
            concat_ws(':', s.relid, s.n_tup_ins, s.n_tup_upd, s.n_tup_del, pg_relation_filenode(s.relid)), ','
            order by s.relid
        ))
        from pg_stat_xact_all_tables as s
    );
end;
$$;

-- Tenant tables: tables in app or audit with a tenant_id column (the catalog guards and isolation tests use it).
create or replace view tests.tenant_tables as
select
    c.oid as relid,
    n.nspname as schema_name,
    c.relname as table_name,
    format('%I.%I', n.nspname, c.relname) as qname
from pg_class as c
inner join pg_namespace as n on c.relnamespace = n.oid
where
    c.relkind in ('r', 'p') and n.nspname in ('app', 'audit')
    and exists (
        select from pg_attribute as a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
    );

-- Every role a request can run as: the request roles, the service's login, and every login that is a member of
-- one of them (app logins of pgpsa_staff, BI logins of pgpsa_bi).
create or replace view tests.request_roles as
with recursive r as (
    select
        g.oid,
        g.rolname
    from pg_roles as g
    where
        g.rolname in (
            'pgpsa_anon', 'pgpsa_staff', 'pgpsa_portal', 'pgpsa_webhook', 'pgpsa_worker', 'pgpsa_bi', 'pgpsa_service'
        )
    union
    select
        m.oid,
        m.rolname
    from pg_auth_members as am
    inner join r on am.roleid = r.oid
    inner join pg_roles as m on am.member = m.oid
    where m.rolname <> 'pgpsa_service'
)

select distinct
    r.oid,
    r.rolname
from r;

-- At least one row in every tenant table for the tenant, through the real rules. Each issue that adds a
-- tenant table extends this, or the isolation test names the table that has no rows to protect.
create or replace function tests.seed_tenant(p_tenant_id uuid) returns void
language plpgsql volatile
as $$
declare
    manager uuid;
    client uuid;
    contact uuid;
    template uuid;
    project uuid;
    stage uuid;
    task uuid;
    doc uuid;
    approval record;
    invoice uuid;
    payment uuid;
    contract uuid;
    assignment uuid;
    share text;
    code text;
    email text := 'seed-' || left(p_tenant_id::text, 8) || '@example.test';
begin
    manager := tests.create_user(p_tenant_id, 'manager');
    perform tests.authenticate_as(manager);
    client := api.create_client(jsonb_build_object(
        'account_code', 'SEED-' || left(p_tenant_id::text, 8), 'name', 'Seed client', 'channel', 'retail',
        'tax_id', 'TAX-1'
    ));
    contact := api.create_contact(client, '{"name": "Seed contact", "is_primary": true}');
    perform tests.as_owner(p_tenant_id, manager);
    perform internal.next_document_number('invoice');
    perform internal.record_event('client.seeded', 'client', client, '{}');
    -- Automations: a mail queued and a schedule's period run.
    perform internal.queue_mail(null, 'seed', 'seed@example.test', 'Seed', 'stock_low', '{}');
    perform api.run_schedule('outstanding_deposits', '2000-01-01');
    perform tests.authenticate_as(manager);
    -- Delivery: a template cloned into a project, a started stage, an hourly task with time, an assignee, a
    -- comment, a confirmed attachment with a download, and an approval with one revision.
    template := api.create_template('{"name": "Seed", "project_type": "seed", "stages": [
        {"stage_code": "design", "name": "Design", "sla_hours": 24, "tasks": [
            {"title": "Draft", "billing_type": "hourly", "hourly_rate": 50},
            {"title": "Spec", "kind": "document"}]}]}');
    project := api.create_project(jsonb_build_object('name', 'Seed project', 'template_id', template, 'client_id', client));
    select s.id into stage from api.stages as s where s.project_id = project;
    perform api.start_stage(project, stage);
    select t.id into task from api.tasks as t where t.project_id = project and t.title = 'Draft';
    select t.id into doc from api.tasks as t where t.project_id = project and t.title = 'Spec';
    perform api.update_task(task, jsonb_build_object('assignee_ids', jsonb_build_array(manager)));
    perform api.log_time(task, '{"hours": 1}');
    perform api.add_comment(task, '{"body": "Seed comment"}');
    perform tests.attach_file(doc);
    perform api.update_task(task, '{"status": "in_progress"}');
    perform api.update_task(task, '{"status": "completed"}');
    perform api.update_task(doc, '{"status": "in_progress"}');
    perform api.update_task(doc, '{"status": "completed"}');
    -- Billing: a draft from the delivered hourly task, sent, paid by a recorded payment, a Stripe checkout and a
    -- webhook event for it.
    invoice := api.generate_invoice_draft(project);
    perform api.send_invoice(invoice);
    payment := api.record_payment(jsonb_build_object('client_id', client, 'method', 'check', 'amount', 10));
    perform api.apply_payment(payment, jsonb_build_array(jsonb_build_object('invoice_id', invoice, 'amount', 10)));
    perform api.begin_stripe_checkout(invoice);
    perform tests.as_webhook();
    perform api.record_stripe_event('evt_seed_' || invoice, 'checkout.session.completed', p_tenant_id, invoice, 4000, 'usd', 'pi_seed');
    perform tests.authenticate_as(manager);
    select * into approval from api.request_approval(stage, jsonb_build_object('approver_contact_id', contact));
    perform tests.as_anon();
    perform api.decide_approval(approval.token, 'revision', 'Seed revision');
    perform tests.authenticate_as(manager);
    -- Portal: the contact's address, a share link, a code mailed and verified into a session, a magic link mailed.
    perform api.update_contact(contact, jsonb_build_object('email', email));
    select r.share_token into share from api.rotate_share_link(project) as r;
    perform tests.as_anon();
    perform portal.request_code(share, email, '192.0.2.1');
    perform portal.request_magic_link(email, '192.0.2.1');
    perform tests.as_owner(p_tenant_id);
    code := (select internal.decrypt_secret(c.code_encrypted) from app.portal_codes as c where c.contact_id = contact);
    perform tests.as_anon();
    perform portal.verify_code(share, email, code, '192.0.2.1');
    perform tests.authenticate_as(manager);
    -- Contracts: a template instantiated for the client, assigned, active, billed for a period, with a document
    -- and a dated price.
    contract := api.instantiate_contract(
        api.create_contract_template('{"name": "Care plan", "lines": [{"name": "Monitoring", "line_type": "fixed",
            "amount": 100}, {"name": "Support", "line_type": "hourly", "hourly_rate": 90}]}'),
        client
    );
    perform tests.as_superuser();
    insert into app.contract_line_pricing_schedules (tenant_id, contract_line_id, effective_from, amount)
    select p_tenant_id, l.id, '2026-01-01', 95 from app.contract_lines as l where l.contract_id = contract and l.line_type = 'fixed';
    insert into app.contract_line_services (tenant_id, contract_line_id, service_name)
    select p_tenant_id, l.id, 'Agent' from app.contract_lines as l where l.contract_id = contract and l.line_type = 'fixed';
    perform tests.authenticate_as(manager);
    assignment := api.assign_contract(contract, jsonb_build_object('client_id', client, 'start_date', '2026-01-01'));
    perform api.activate_client_contract(assignment);
    perform api.bill_client_contracts(client, '2026-01-01', '2026-01-31');
    perform tests.as_superuser();
    insert into app.contract_documents (tenant_id, contract_id, file_id)
    select p_tenant_id, contract, f.id from app.files as f where f.tenant_id = p_tenant_id limit 1;
    perform tests.authenticate_as(manager);
    -- Sales (issue 6) when its fixture is loaded.
    if to_regprocedure('tests.seed_tenant_sales(uuid)') is not null then
        execute 'select tests.seed_tenant_sales($1)' using p_tenant_id;
        perform tests.authenticate_as(manager);
    end if;
    perform tests.as_superuser();
    insert into app.user_permissions (tenant_id, user_id, permission, granted)
    values (p_tenant_id, manager, 'audit:read', true);
end;
$$;

-- An available attachment on a task, as if uploaded and confirmed, with one logged download (as the current user).
create or replace function tests.attach_file(p_task_id uuid) returns uuid
language plpgsql volatile
as $$
declare
    f record;
begin
    select * into f from api.create_file(
        (select t.project_id from api.tasks as t where t.id = p_task_id),
        jsonb_build_object('task_id', p_task_id, 'file_name', 'spec.pdf', 'content_type', 'application/pdf', 'size', 1024)
    );
    perform api.confirm_file(f.file_id, 1024, repeat('a', 64));
    perform api.log_file_access(f.file_id);
    return f.file_id;
end;
$$;


-- Named ids within a test's transaction (pytest-pgtap sends plain SQL: no psql variables).
create or replace function tests.remember(p_name text, p_id uuid) returns uuid
language sql volatile
begin atomic
    select set_config('tests.' || p_name, p_id::text, true)::uuid;
end;

create or replace function tests.get(p_name text) returns uuid
language sql stable
begin atomic
    select current_setting('tests.' || p_name)::uuid;
end;

-- A transaction-local setting, returning nothing: pytest-pgtap reads every text a setup select returns as TAP.
create or replace function tests.set(p_name text, p_value text) returns void
language sql volatile
begin atomic
    select set_config(p_name, p_value, true);
end;

-- A two-stage project from a template, as the current (staff) user: stage "design" (hourly Layout, document
-- Brief, approval Proof) and stage "print" (fixed Print run). Returns the project id.
create or replace function tests.delivery_project(p_name text default 'Spring banners') returns uuid
language plpgsql volatile
as $$
declare
    template uuid;
begin
    select t.id into template from api.templates as t where t.project_type = 'banner' and t.is_active;
    if template is null then
        template := api.create_template('{"name": "Banner", "project_type": "banner", "stages": [
            {"stage_code": "design", "name": "Design", "sla_hours": 48, "tasks": [
                {"title": "Layout", "billing_type": "hourly", "hourly_rate": 80, "due_offset_days": 2},
                {"title": "Brief", "kind": "document", "due_offset_days": 1},
                {"title": "Proof", "kind": "approval", "billing_type": "milestone", "fixed_amount": 100,
                 "due_offset_days": 3}]},
            {"stage_code": "print", "name": "Print", "sla_hours": 24, "tasks": [
                {"title": "Print run", "billing_type": "fixed", "fixed_amount": 300, "due_offset_days": 5}]}]}');
    end if;
    return api.create_project(jsonb_build_object('name', p_name, 'template_id', template, 'start_date', '2026-01-05'));
end;
$$;

-- The id of a contract's line of a type (read as the superuser).
create or replace function tests.contract_line(p_contract_id uuid, p_line_type text) returns uuid
language sql stable security definer
begin atomic
    select l.id from app.contract_lines as l
    where l.contract_id = p_contract_id and l.line_type = p_line_type
    order by l.sequence
    limit 1;
end;

-- The id of a task of a project by title, and of a stage by code (read as the superuser).
create or replace function tests.task(p_project_id uuid, p_title text) returns uuid
language sql stable security definer
begin atomic
    select t.id from app.tasks as t
    where t.project_id = p_project_id and t.title = p_title;
end;

create or replace function tests.stage(p_project_id uuid, p_stage_code text) returns uuid
language sql stable security definer
begin atomic
    select s.id from app.stages as s
    where s.project_id = p_project_id and s.stage_code = p_stage_code;
end;

-- A client of the current tenant (as the current staff user) and a sent invoice of the given amount for it.
create or replace function tests.sent_invoice(p_client_id uuid, p_amount numeric, p_kind text default 'manual')
returns uuid
language plpgsql volatile
as $$
declare
    invoice uuid;
begin
    invoice := api.create_invoice(jsonb_build_object('client_id', p_client_id, 'kind', p_kind, 'items',
        jsonb_build_array(jsonb_build_object('description', 'Work', 'quantity', 1, 'unit_price', p_amount))));
    perform api.send_invoice(invoice);
    return invoice;
end;
$$;

-- pgTAP's results_eq compares column types strictly, and the api views answer in domains (app.label, app.money,
-- app.task_status ...): this runs the query, casts each domain column to its base type, then compares. The
-- query's columns need distinct names (give expressions an alias).
create or replace function tests.in_base_types(p_query text) returns text
language plpgsql volatile
as $$
declare
    cols text;
    rows_table text := 'tests_rows_' || replace(gen_random_uuid()::text, '-', '');
begin
    execute format('create temporary table %I as %s', rows_table, p_query);
    select string_agg(
        case when t.typtype = 'd' then format('%I::%s', a.attname, format_type(t.typbasetype, t.typtypmod))
            when e.typtype = 'd' then format('%I::%s[]', a.attname, format_type(e.typbasetype, e.typtypmod))
            else quote_ident(a.attname) end,
        ', ' order by a.attnum
    ) into cols
    from pg_attribute as a
    join pg_type as t on t.oid = a.atttypid
    left join pg_type as e on e.oid = t.typelem and t.typcategory = 'A'
    where a.attrelid = format('pg_temp.%I', rows_table)::regclass and a.attnum > 0 and not a.attisdropped;
    return format('select %s from pg_temp.%I', cols, rows_table);
end;
$$;

create or replace function tests.results_eq(p_actual text, p_expected text, p_description text) returns text
language sql volatile
begin atomic
    select results_eq(tests.in_base_types(p_actual), tests.in_base_types(p_expected), p_description);
end;
