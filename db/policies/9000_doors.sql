-- The doors: the only things a request role may touch, and who owns them. Runs last, after every function, view
-- and policy file (`db up` hands the door objects back to the owner before those files run, so they can be
-- replaced, and this file gives them to their doors again).
--
--   api     views and functions owned by pgpsa_door_api; every api function runs as it (security definer), so RLS
--           binds it with the request's context exactly as it would bind the caller. pgpsa_staff (and so every app
--           login) may read every api view and call every api function, but those listed below for other roles.
--   bi      views owned by pgpsa_door_bi, read by pgpsa_bi (BI logins), each in its login's tenant.
--   portal  views and functions owned by pgpsa_door_portal, whose policies (0900_portal.sql) keep a session to its
--           client; pgpsa_portal reads and calls them; the sign-in functions are pgpsa_anon's (the allowlist).
-- Owner-run functions (security definer as pgpsa_owner: they read or write past a door's permission policies) a
-- request role may call are the reviewed allowlist below, each with its roles and why; nothing else owner-run is
-- executable by a request role, and the catalog guards (db/tests/test_catalog_guards.sql) hold the catalog to it.

delete from internal.definer_allowlist;
insert into internal.definer_allowlist (function_signature, roles, reason) values
-- Policy helper.
(
    'internal.lookup_permission(text)', '{pgpsa_staff,pgpsa_portal,pgpsa_anon,pgpsa_webhook,pgpsa_worker,pgpsa_bi}',
    'Policies ask it whether the current user holds a permission; it reads only that user''s own grants.'
),
-- A body's array is checked element by element as its shape says; as the owner only so that it may call
-- internal.conforms, which a request role cannot name.
(
    'internal.conforms_each(jsonb,regtype,text[],text[])',
    '{pgpsa_staff,pgpsa_portal,pgpsa_anon,pgpsa_webhook,pgpsa_worker,pgpsa_bi}',
    'Checks each element of a JSON array against a shape: reads only its arguments and the catalog.'
),
-- Before sign-in: each finds its tenant from what the caller typed, and only the pre-sign-in role runs them.
(
    'api.login_lookup(text,text)', '{pgpsa_anon}',
    'Sign-in: finds the tenant by slug and the user by email; refuses while throttled; returns the hash to verify.'
),
(
    'api.login_failed(text,text)', '{pgpsa_anon}',
    'Sign-in: counts a failure for this account and this address, and for this address across accounts.'
),
(
    'api.login_succeeded(text,text)', '{pgpsa_anon}',
    'Sign-in: clears this account''s failures from this address and stamps last_login_at.'
),
(
    'api.decide_approval(text,app.approval_decision,app.note)', '{pgpsa_anon}',
    'An approval decided by its emailed token: the token names its tenant, the approval is found by its hash.'
),
-- The Stripe webhook: the signed event names its tenant and invoice; only the webhook role runs it.
(
    'api.record_stripe_event(text,text,uuid,uuid,bigint,text,text)', '{pgpsa_webhook}',
    'A verified Stripe event: applies it to the invoice of a checkout we started in the tenant the event names.'
),
-- The worker: it lists the tenants, then runs each sweep with one tenant set, as the worker role.
(
    'api.worker_tenants()',
    '{pgpsa_worker}',
    'The worker visits every tenant in turn: returns their ids and nothing else.'
),
('api.sla_sweep()', '{pgpsa_worker}', 'Marks the current tenant''s late stages overdue, whoever can see them.'),
('api.quote_expiry_sweep()', '{pgpsa_worker}', 'Expires and reminds the current tenant''s sent quotes.'),
('api.outstanding_deposits_sweep()', '{pgpsa_worker}', 'Reports the current tenant''s orders with a deposit due.'),
('api.reorder_report_sweep()', '{pgpsa_worker}', 'Reports the current tenant''s stock below its reorder points.'),
-- The worker's jobs (db/functions/0320_notifications.sql, 0330_schedules.sql), each in the tenant its job names.
('api.deliver_event(uuid)', '{pgpsa_worker}', 'Delivers one of the current tenant''s events: queues its mails.'),
(
    'api.event_failed(uuid,text,boolean)', '{pgpsa_worker}',
    'Records a failed delivery of one of the current tenant''s events (dead after the last attempt).'
),
('api.retry_event(uuid)', '{pgpsa_worker}', 'Queues a dead event of the current tenant again.'),
(
    'api.mail_to_send(uuid)', '{pgpsa_worker}',
    'Claims one of the current tenant''s mails to send, with the approval link it carries (decrypted only here).'
),
('api.mail_sent(uuid,text,text)', '{pgpsa_worker}', 'Marks one of the current tenant''s mails sent.'),
('api.mail_failed(uuid,text)', '{pgpsa_worker}', 'Records a failed send of one of the current tenant''s mails.'),
('api.escalate_stage(uuid)', '{pgpsa_worker}', 'Tells the managers of a stage overdue for 24 hours, once.'),
('api.due_schedules(timestamp with time zone)', '{pgpsa_worker}', 'The current tenant''s schedules due now.'),
('api.run_schedule(text,text)', '{pgpsa_worker}', 'Runs one period of one schedule for the current tenant, once.'),
-- The portal (seed 001 documents through ownership).
(
    'portal.contract_documents()', '{pgpsa_portal}',
    'A client contact''s contract documents: only contracts its own client owns, in its tenant.'
),
(
    'portal.contract_document_download(uuid)', '{pgpsa_portal}',
    'A signed download of a document of a contract the session''s own client owns (a whole-client session), logged.'
),
-- Portal sign-in (db/functions/0960_portal_sign_in.sql): each finds its tenant from a token's first 32 hex or the
-- contact directory, answers the same for unknown addresses, and only the pre-sign-in role runs it.
(
    'portal.request_magic_link(text,text)', '{pgpsa_anon}',
    'Mails a one-time sign-in link to the contacts at this address that may use the portal; rate-limited.'
),
(
    'portal.request_code(text,text,text)', '{pgpsa_anon}',
    'Mails a one-time code to a contact of the shared project''s client (by the share token); rate-limited.'
),
(
    'portal.verify_code(text,text,text,text)', '{pgpsa_anon}',
    'Checks a share link''s code (HMAC, 10 minutes, once, 5 tries) and opens a session for that project.'
),
(
    'portal.exchange_magic_link(text,text)', '{pgpsa_anon}',
    'Exchanges a magic link''s token (15 minutes, once) for a session of that contact.'
),
-- Approvals by their emailed token: the token names its tenant; a portal session must be of the same client.
(
    'portal.approval_preview(text)', '{pgpsa_anon,pgpsa_portal}',
    'An approval found by its token''s hash, for the token''s holder or a session of the approval''s client.'
),
(
    'portal.approval_files(text)', '{pgpsa_anon,pgpsa_portal}',
    'The customer files of the approval''s stage, each signing logged, for the same callers as the preview.'
),
(
    'portal.decide_approval(text,app.approval_decision,app.note)', '{pgpsa_anon,pgpsa_portal}',
    'The decision by token; a portal session must be of the approval''s client and hold the approve capability.'
),
(
    'portal.approval_token(uuid)', '{pgpsa_portal}',
    'The link token of an open approval of the session''s projects, for a contact who may approve.'
),
-- A client's upload, scanned by the worker before the team sees it.
('api.file_to_scan(uuid)', '{pgpsa_worker}', 'The current tenant''s file waiting for its scan: its key and type.'),
(
    'api.file_scanned(uuid,boolean)',
    '{pgpsa_worker}',
    'Marks the current tenant''s scanned file available or quarantined.'
),
(
    'internal.queue_scan(uuid)', '{pgpsa_door_portal}',
    'Queues the scan of the current tenant''s upload that waits for it (only the owner queues jobs).'
),
-- A Checkout attempt, for staff and the portal alike, each of which checks its caller first.
(
    'internal.begin_checkout(uuid)', '{pgpsa_door_api,pgpsa_door_portal}',
    'Starts (or resumes) a Checkout attempt for a sent invoice of the current tenant, at its balance.'
),
(
    'internal.record_checkout(uuid,integer,text,text)', '{pgpsa_door_api,pgpsa_door_portal}',
    'Records the Checkout session of an attempt of the current tenant.'
),
-- Staff doors that write what no door may write by hand (statuses, numbers, claims), each checking its permission
-- itself and staying in the caller's tenant.
('api.send_invoice(uuid)', '{pgpsa_staff}', 'Numbers and posts a draft invoice (invoices:write).'),
(
    'api.void_invoice(uuid,app.note)',
    '{pgpsa_staff}',
    'Voids an invoice without payments and releases its tasks (invoices:write).'
),
('api.delete_invoice(uuid)', '{pgpsa_staff}', 'Deletes a draft and releases the tasks it claimed (invoices:write).'),
(
    'api.generate_invoice_draft(uuid,api.invoice_draft_create)', '{pgpsa_staff}',
    'Bills a project''s delivered tasks, claiming each once, whoever they are assigned to (invoices:write).'
),
(
    'api.bill_client_contracts(uuid,date,date,api.contract_invoice_create)', '{pgpsa_staff}',
    'Bills a client''s active contract assignments for a period, never twice (invoices:write).'
),
(
    'api.accept_quote(uuid)', '{pgpsa_staff}',
    'Quote acceptance: order, project, deposit invoice and job ticket in one transaction (quotes:write).'
),
(
    'api.create_order(api.order_create)', '{pgpsa_staff}',
    'An order from a sent quote, as acceptance does, or by hand (orders:write).'
),
('api.create_job_ticket(uuid)', '{pgpsa_staff}', 'A job ticket with its number and QR payload (projects:write).'),
-- Owner-run helpers only the api door calls (no request role may): each writes what no door may, checks the
-- caller's permission itself and stays in the caller's tenant.
(
    'internal.log_task_note(uuid,app.note)', '{pgpsa_door_api}',
    'A note in a task''s activity log (a derived log), on a task the caller may work on (tasks:write).'
),
(
    'internal.log_task_upload(uuid)', '{pgpsa_door_api}',
    'The caller''s just-started upload on a task it may work on, in the task''s activity log (tasks:write).'
);

-- The doors' own reach: the schemas their views and functions name (CREATE, so they may own objects there).
grant usage on schema app, internal, audit to pgpsa_door_api, pgpsa_door_bi, pgpsa_door_portal;
grant usage, create on schema portal to pgpsa_door_portal;
grant usage, create on schema api to pgpsa_door_api;
grant usage, create on schema bi to pgpsa_door_bi;

-- Each object is equipped while the owner still owns it, then handed to its door (grants survive the hand-over).
do $$
declare
    o record;
    request_roles text := 'pgpsa_anon, pgpsa_staff, pgpsa_portal, pgpsa_webhook, pgpsa_worker, pgpsa_bi';
begin
    -- A clean slate for the request roles: nothing on app, audit or internal but the helpers granted below.
    execute format('revoke all on schema app, audit, internal from %s', request_roles);
    execute format('revoke all on all functions in schema app, audit, internal, api, portal, bi from %s', request_roles);
    execute format('revoke all on all tables in schema api, portal, bi from %s', request_roles);
    -- Nor may anyone run a routine here that no file grants: a function made by hand as another role is runnable by
    -- public (only the owner's default privileges say otherwise, 0001_schemas).
    revoke all on all routines in schema app, audit, internal, api, portal, bi from public;

    -- api views: owned by the api door, read with the door's grants under RLS.
    for o in
        select c.oid::regclass as view from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = 'api' and c.relkind = 'v'
    loop
        execute format('alter view %s reset (security_invoker)', o.view);
        execute format('grant select on %s to pgpsa_staff', o.view);
        execute format('alter view %s owner to pgpsa_door_api', o.view);
    end loop;
    -- bi views: owned by the BI door, read by BI logins.
    for o in
        select c.oid::regclass as view from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = 'bi' and c.relkind = 'v'
    loop
        execute format('alter view %s reset (security_invoker)', o.view);
        execute format('grant select on %s to pgpsa_bi', o.view);
        execute format('alter view %s owner to pgpsa_door_bi', o.view);
    end loop;
    -- portal views: owned by the portal door, read by a contact's session.
    for o in
        select c.oid::regclass as view from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = 'portal' and c.relkind = 'v'
    loop
        execute format('alter view %s reset (security_invoker)', o.view);
        execute format('grant select on %s to pgpsa_portal', o.view);
        execute format('alter view %s owner to pgpsa_door_portal', o.view);
    end loop;
    -- internal views are the owner's reads that door views join (db/views/0_internal_owner_reads.sql): the doors
    -- read them, nobody else.
    for o in
        select c.oid::regclass as view from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = 'internal' and c.relkind = 'v'
    loop
        execute format('grant select on %s to pgpsa_door_api, pgpsa_door_bi, pgpsa_door_portal', o.view);
    end loop;
    -- api functions: every one not on the allowlist runs as the api door, portal functions as the portal door;
    -- allowlisted ones stay the owner's.
    for o in
        select p.oid::regprocedure as fn, a.roles, n.nspname = 'portal' as portal
        from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace
        left join internal.definer_allowlist as a on a.function_signature = p.oid::regprocedure::text
        where n.nspname in ('api', 'portal')
    loop
        -- Owner-run code may call a door, and a door an owner-run door.
        execute format('grant execute on function %s to pgpsa_owner, pgpsa_door_api', o.fn);
        if o.roles is null and o.portal then
            execute format('alter function %s security definer set search_path = ''''', o.fn);
            execute format('grant execute on function %s to pgpsa_portal', o.fn);
            execute format('alter function %s owner to pgpsa_door_portal', o.fn);
        elsif o.roles is null then
            execute format('alter function %s security definer set search_path = ''''', o.fn);
            -- Errors are worded from the catalog for every caller; everything else is for staff.
            execute format('grant execute on function %s to %s', o.fn, case
                when o.fn::text = 'api.constraint_message(text,text,text)' then request_roles else 'pgpsa_staff'
            end);
            execute format('alter function %s owner to pgpsa_door_api', o.fn);
        else
            execute format('grant execute on function %s to %s', o.fn, array_to_string(o.roles, ', '));
        end if;
    end loop;
    for o in select * from internal.definer_allowlist where function_signature like 'internal.%' loop
        execute format('grant execute on function %s to %s', o.function_signature, array_to_string(o.roles, ', '));
    end loop;
    -- Helpers that only read the request context or compute from their arguments: policies and door views call
    -- them on the caller's behalf (a function's EXECUTE is checked for the caller, even inside a view).
    for o in
        select p.oid::regprocedure as fn from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace
        where n.nspname = 'internal' and p.proname in (
            'trusted_session', 'login_tenant_id', 'current_tenant_id', 'current_user_id', 'current_client_id',
            'current_contact_id', 'current_ip', 'current_request_id', 'current_request_role', 'has_permission',
            'has_any_permission', 'lookup_any_permission', 'permitted_tenant_id',
            'task_done_statuses', 'task_in_reach', 'assignment_status', 'json_words', 'project_stale', 'health_colour',
            'current_portal_session_id', 'current_portal_project_id', 'portal_project_ids', 'portal_order_ids',
            'portal_task_ids', 'portal_capabilities', 'portal_can', 'line_gross', 'line_discount', 'line_net',
            'line_tax',
            -- the calendar the bi views count in (db/functions/0990_reporting.sql)
            'report_date', 'report_today', 'report_month', 'report_week',
            -- a body's shape is checked as the caller passes it (a domain's check runs with the caller's rights)
            'conforms', 'conforms_each'
        )
    loop
        execute format(
            'grant execute on function %s to %s, pgpsa_door_api, pgpsa_door_bi, pgpsa_door_portal', o.fn, request_roles
        );
    end loop;
end
$$;

-- The job queue (procrastinate's schema `queue`): its own role reads and writes it, nothing else does; rules
-- queue jobs through internal.enqueue, as the owner.
grant usage on schema queue to pgpsa_queue;
grant select, insert, update, delete on all tables in schema queue to pgpsa_queue;
grant usage, select on all sequences in schema queue to pgpsa_queue;
grant execute on all functions in schema queue to pgpsa_queue;

-- Who may reach which door.
grant usage on schema api to pgpsa_anon, pgpsa_staff, pgpsa_portal, pgpsa_webhook, pgpsa_worker;
grant usage on schema portal to pgpsa_portal, pgpsa_anon;
grant usage on schema bi to pgpsa_bi;
