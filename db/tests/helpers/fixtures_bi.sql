-- BI test helpers: a tenant whose KPIs can be counted by hand (tests.bi_tenant), and the calendar its dates hang on.
-- The data is written straight into the tables as the superuser with triggers off (as bench/ loads data), so every
-- date is the one written here; the rows are the ones the rules would have left. Dates are relative to today (UTC):
-- months back from the current month (tests.bi_month), Mondays back from the current week (tests.bi_week), days
-- back from today. db/tests/test_bi_*.sql work the expected figures out from the list below.
--
-- Users: Mia (manager, 40 h a week, no labor rate), Dee (designer, 40 h; labor rate 50 until bi_week(1), 60 from
-- then), Pat (production, 20 h; rate 30), Quinn (qc, 40 h; rate 40; disabled on bi_week(2) + 3).
-- Clients: Acme, Bolt, Cove (archived). Products: VINYL (cost 2.50), INK (cost 10.01).
-- Leads L1..L6 (months 3, 3 (its last second), 1 (its first instant), 1, 1, 0); quotes Q-1 (L1), Q-3 (L3), Q-5 (L5)
-- accepted, Q-7 and Q-10 (EUR) sent, Q-8 draft, Q-9 rejected.
-- Orders: SO-1 (Q-1, Acme, banner, completed, promised bi_month(1) + 10), SO-2 (Q-3, Bolt, banner, completed,
-- promised bi_month(1) + 5), SO-3 (Acme, sign, in production, deposit 50), SO-4 (Q-5, sign, cancelled), SO-5 (Bolt,
-- banner, EUR, pending, deposit 100), SO-6 (Acme, sign, completed, promised bi_month(2) + 20).
-- Projects: PRJ-P1 (SO-1, completed on its promised day at 23:30 UTC), PRJ-P2 (SO-2, completed the day after its
-- promise), PRJ-P3 (SO-3, active), PRJ-P5 (Bolt, no order, active), PRJ-P6 (SO-6, completed early), PRJ-P7 (Bolt,
-- no order, active, no tasks, created 10 days ago). Stages: design and print in each but P7.
-- Invoices: INV-A..INV-J (Acme, issued bi_month(4), due from today + 10 to today - 91), INV-K (paid), INV-V (void),
-- INV-L (Bolt, with tax), INV-I1 (P1's tasks, paid), INV-I3 (P6, paid), INV-DI3 (SO-3's deposit, partly paid),
-- INV-E1 (Bolt, EUR), INV-CI (Acme's contract, GBP, paid) and a draft of P2's hourly task.

create or replace function tests.bi_today() returns date
language sql stable
begin atomic
    select internal.report_today();
end;

create or replace function tests.bi_month(p_back integer) returns date
language sql stable
begin atomic
    select (internal.report_month(internal.report_today()) - make_interval(months => p_back))::date;
end;

create or replace function tests.bi_week(p_back integer) returns date
language sql stable
begin atomic
    select internal.report_week(internal.report_today()) - 7 * p_back;
end;

-- Midnight UTC of a day, plus a time of day.
create or replace function tests.bi_at(p_day date, p_time interval default '0') returns timestamptz
language sql immutable
begin atomic
    select (p_day::timestamp + p_time) at time zone 'UTC';
end;

create or replace function tests.bi_tenant(p_slug text) returns uuid
language plpgsql volatile
as $$
declare
    t uuid;
    today date := internal.report_today();
    m0 date := tests.bi_month(0);
    m1 date := tests.bi_month(1);
    m2 date := tests.bi_month(2);
    m3 date := tests.bi_month(3);
    m4 date := tests.bi_month(4);
    w0 date := tests.bi_week(0);
    w1 date := tests.bi_week(1);
    w2 date := tests.bi_week(2);
    w3 date := tests.bi_week(3);
    mia uuid; dee uuid; pat uuid; quinn uuid;
    acme uuid; bolt uuid;
    vinyl uuid; ink uuid; store uuid;
    l1 uuid; l3 uuid; l5 uuid;
    q1 uuid; q3 uuid; q5 uuid; q uuid;
    o1 uuid; o2 uuid; o3 uuid; o4 uuid; o5 uuid; o6 uuid;
    oi1a uuid; oi1b uuid; oi3 uuid; oi4 uuid;
    p1 uuid; p2 uuid; p3 uuid; p5 uuid; p6 uuid;
    d1 uuid; d2 uuid; d3 uuid; d5 uuid; d6 uuid; r1 uuid; r2 uuid; r3 uuid; r5 uuid; r6 uuid;
    t1a uuid; t1b uuid; t1c uuid; t2a uuid; t3d uuid; t5e uuid; t5f uuid; t6a uuid;
    a uuid;
    ct1 uuid; cl_fixed uuid; cl_hourly uuid; cc1 uuid;
    i uuid;
    inv record;
    previous text;
begin
    perform tests.as_superuser();
    perform set_config('session_replication_role', 'replica', true);
    t := internal.create_tenant(p_slug, initcap(p_slug) || ' Ltd');

    -- People and what an hour of their role costs.
    mia := internal.create_user(t, 'mia@' || p_slug || '.test', 'Mia Manager', 'manager', 'x');
    dee := internal.create_user(t, 'dee@' || p_slug || '.test', 'Dee Designer', 'designer', 'x');
    pat := internal.create_user(t, 'pat@' || p_slug || '.test', 'Pat Production', 'production', 'x');
    quinn := internal.create_user(t, 'quinn@' || p_slug || '.test', 'Quinn QC', 'qc', 'x');
    update app.users set weekly_capacity_hours = 20 where id = pat;
    update app.users set disabled_at = tests.bi_at(w2 + 3, '9 hours') where id = quinn;
    insert into app.labor_rates (tenant_id, role, hourly_rate, effective_from) values
    (t, 'designer', 50, '2000-01-01'), (t, 'designer', 60, w1), (t, 'production', 30, '2000-01-01'),
    (t, 'qc', 40, '2000-01-01');

    insert into app.clients (tenant_id, account_code, name, channel) values (t, 'ACME', 'Acme', 'trade')
    returning id into acme;
    insert into app.clients (tenant_id, account_code, name, channel) values (t, 'BOLT', 'Bolt', 'retail')
    returning id into bolt;
    insert into app.clients (tenant_id, account_code, name, channel, archived_at)
    values (t, 'COVE', 'Cove', 'web', now() - interval '1 day');

    insert into app.products (tenant_id, sku, name, product_type, cost_price, uom, track_inventory)
    values (t, 'VINYL', 'Vinyl', 'material', 2.50, 'm', true) returning id into vinyl;
    insert into app.products (tenant_id, sku, name, product_type, cost_price, uom, track_inventory)
    values (t, 'INK', 'Ink', 'material', 10.01, 'l', true) returning id into ink;
    insert into app.inventory_locations (tenant_id, name) values (t, 'Store') returning id into store;

    -- Leads and quotes.
    insert into app.leads (tenant_id, name, source, status, created_at)
    values (t, 'L1', 'web', 'closed_won', tests.bi_at(m3 + 2)) returning id into l1;
    insert into app.leads (tenant_id, name, source, status, created_at)
    values (t, 'L2', 'web', 'closed_lost', tests.bi_at(m2) - interval '1 second');
    insert into app.leads (tenant_id, name, source, status, created_at)
    values (t, 'L3', 'fair', 'closed_won', tests.bi_at(m1)) returning id into l3;
    insert into app.leads (tenant_id, name, source, status, created_at)
    values (t, 'L4', 'fair', 'closed_won', tests.bi_at(m1 + 5));
    insert into app.leads (tenant_id, name, source, status, created_at)
    values (t, 'L5', 'web', 'proposal', tests.bi_at(m1 + 6)) returning id into l5;
    insert into app.leads (tenant_id, name, source, status, created_at) values (t, 'L6', 'web', 'new', tests.bi_at(m0));

    insert into app.quotes (tenant_id, quote_number, lead_id, client_id, project_type, status, accepted_at, created_at)
    values (t, 'Q-1', l1, acme, 'banner', 'accepted', tests.bi_at(m3 + 3), tests.bi_at(m3 + 3)) returning id into q1;
    insert into app.quote_items (
        tenant_id, quote_id, sequence, description, quantity, unit_price, discount_pct, tax_rate
    )
    values (t, q1, 1, 'Banner', 10, 100, 10, 8), (t, q1, 2, 'Stand', 2, 50, 0, 0);
    insert into app.quotes (tenant_id, quote_number, lead_id, client_id, project_type, status, accepted_at, created_at)
    values (t, 'Q-3', l3, bolt, 'banner', 'accepted', tests.bi_at(m1 + 1), tests.bi_at(m1 + 1)) returning id into q3;
    insert into app.quote_items (tenant_id, quote_id, description, quantity, unit_price, tax_rate)
    values (t, q3, 'Banner', 1, 500, 10);
    insert into app.quotes (tenant_id, quote_number, lead_id, client_id, project_type, status, accepted_at, created_at)
    values (t, 'Q-5', l5, acme, 'sign', 'accepted', tests.bi_at(m1 + 2), tests.bi_at(m1 + 2)) returning id into q5;
    insert into app.quote_items (tenant_id, quote_id, description, quantity, unit_price)
    values (t, q5, 'Sign', 1, 1000);
    insert into app.quotes (tenant_id, quote_number, client_id, project_type, status, created_at)
    values (t, 'Q-7', bolt, 'banner', 'sent', tests.bi_at(m1 + 3)) returning id into q;
    insert into app.quote_items (tenant_id, quote_id, description, quantity, unit_price, tax_rate)
    values (t, q, 'Flags', 3, 33.33, 8.25);
    insert into app.quotes (tenant_id, quote_number, client_id, project_type, status, created_at)
    values (t, 'Q-8', acme, 'banner', 'draft', tests.bi_at(m0)) returning id into q;
    insert into app.quote_items (tenant_id, quote_id, description, quantity, unit_price) values (t, q, 'Tag', 1, 10);
    insert into app.quotes (tenant_id, quote_number, client_id, project_type, status, rejected_at, created_at)
    values (t, 'Q-9', bolt, 'banner', 'rejected', tests.bi_at(m1 + 5), tests.bi_at(m1 + 4)) returning id into q;
    insert into app.quote_items (tenant_id, quote_id, description, quantity, unit_price) values (t, q, 'Board', 2, 75);
    insert into app.quotes (tenant_id, quote_number, client_id, project_type, status, currency, created_at)
    values (t, 'Q-10', bolt, 'banner', 'sent', 'EUR', tests.bi_at(m1 + 5)) returning id into q;
    insert into app.quote_items (tenant_id, quote_id, description, quantity, unit_price)
    values (t, q, 'Banner', 1, 200);

    -- Orders, their lines, and the stock consumed against them.
    insert into app.orders (
        tenant_id, order_number, quote_id, client_id, project_type, status, promised_date, completed_at, created_at
    ) values (
        t, 'SO-1', q1, acme, 'banner', 'completed', m1 + 10, tests.bi_at(m1 + 11), tests.bi_at(m3 + 3)
    ) returning id into o1;
    insert into app.orders (
        tenant_id, order_number, quote_id, client_id, project_type, status, promised_date, completed_at, created_at
    ) values (
        t, 'SO-2', q3, bolt, 'banner', 'completed', m1 + 5, tests.bi_at(m1 + 7), tests.bi_at(m1 + 1)
    ) returning id into o2;
    insert into app.orders (tenant_id, order_number, client_id, project_type, status, deposit_required, created_at)
    values (t, 'SO-3', acme, 'sign', 'in_production', 50, tests.bi_at(m2 + 3)) returning id into o3;
    insert into app.orders (
        tenant_id, order_number, quote_id, client_id, project_type, status, cancelled_at, created_at
    )
    values (t, 'SO-4', q5, acme, 'sign', 'cancelled', tests.bi_at(m1 + 3), tests.bi_at(m1 + 2)) returning id into o4;
    insert into app.orders (
        tenant_id, order_number, client_id, project_type, status, currency, deposit_required, created_at
    ) values (t, 'SO-5', bolt, 'banner', 'pending', 'EUR', 100, now() - interval '3 days') returning id into o5;
    insert into app.orders (
        tenant_id, order_number, client_id, project_type, status, promised_date, completed_at, created_at
    ) values (t, 'SO-6', acme, 'sign', 'completed', m2 + 20, tests.bi_at(m2 + 16), tests.bi_at(m2 + 1))
    returning id into o6;

    insert into app.order_items (
        tenant_id, order_id, sequence, description, quantity, unit_price, discount_pct, tax_rate
    )
    values (t, o1, 1, 'Banner', 10, 100, 10, 8) returning id into oi1a;
    insert into app.order_items (tenant_id, order_id, sequence, description, quantity, unit_price)
    values (t, o1, 2, 'Stand', 2, 50) returning id into oi1b;
    insert into app.order_items (tenant_id, order_id, description, quantity, unit_price, tax_rate)
    values (t, o2, 'Banner', 1, 500, 10);
    insert into app.order_items (tenant_id, order_id, description, quantity, unit_price)
    values (t, o3, 'Sign', 3, 33.33) returning id into oi3;
    insert into app.order_items (tenant_id, order_id, description, quantity, unit_price)
    values (t, o4, 'Sign', 1, 1000) returning id into oi4;
    insert into app.order_items (tenant_id, order_id, description, quantity, unit_price)
    values (t, o5, 'Banner', 1, 200);
    insert into app.order_items (tenant_id, order_id, description, quantity, unit_price) values (t, o6, 'Sign', 1, 250);

    insert into app.stock_movements (tenant_id, product_id, location_id, movement_type, quantity, order_item_id) values
    (t, vinyl, store, 'receive', 100, null), (t, vinyl, store, 'consume', 4, oi1a),
    (t, vinyl, store, 'consume', 1.5, oi1b),
    (t, ink, store, 'consume', 0.333, oi3), (t, vinyl, store, 'consume', 2, null), (t, vinyl, store, 'consume', 5, oi4);

    -- Projects and their stages.
    insert into app.projects (
        tenant_id, project_code, name, project_type, client_id, order_id, status, start_date, completed_at, created_at
    ) values
    (t, 'PRJ-P1', 'P1', 'banner', acme, o1, 'completed', m3 + 3, tests.bi_at(m1 + 10, '23:30'), tests.bi_at(m3 + 3)),
    (t, 'PRJ-P2', 'P2', 'banner', bolt, o2, 'completed', m1 + 1, tests.bi_at(m1 + 6, '01:00'), tests.bi_at(m1 + 1)),
    (t, 'PRJ-P3', 'P3', 'sign', acme, o3, 'active', today - 12, null, now() - interval '12 days'),
    (t, 'PRJ-P5', 'P5', 'banner', bolt, null, 'active', today - 30, null, now() - interval '30 days'),
    (t, 'PRJ-P6', 'P6', 'sign', acme, o6, 'completed', m2 + 1, tests.bi_at(m2 + 15), tests.bi_at(m2 + 1)),
    (t, 'PRJ-P7', 'P7', 'banner', bolt, null, 'active', today - 10, null, now() - interval '10 days');
    select id into p1 from app.projects where tenant_id = t and project_code = 'PRJ-P1';
    select id into p2 from app.projects where tenant_id = t and project_code = 'PRJ-P2';
    select id into p3 from app.projects where tenant_id = t and project_code = 'PRJ-P3';
    select id into p5 from app.projects where tenant_id = t and project_code = 'PRJ-P5';
    select id into p6 from app.projects where tenant_id = t and project_code = 'PRJ-P6';

    insert into app.stages (
        tenant_id, project_id, sequence, stage_code, name, sla_hours, status, started_at, due_at, completed_at
    )
    select
        t, s.project_id, s.sequence, s.stage_code, initcap(s.stage_code), 48, s.status, s.started_at, s.due_at,
        s.completed_at
    from (values
        (p1, 1, 'design', 'completed',
            now() - interval '80 days', now() - interval '78 days', now() - interval '79 days'),
        (p1, 2, 'print', 'completed',
            now() - interval '79 days', now() - interval '77 days', now() - interval '78 days'),
        (p2, 1, 'design', 'completed',
            now() - interval '25 days', now() - interval '23 days', now() - interval '24 days'),
        (p2, 2, 'print', 'completed',
            now() - interval '24 days', now() - interval '22 days', now() - interval '23 days'),
        (p3, 1, 'design', 'active', now() - interval '12 days', now() + interval '36 hours', null),
        (p3, 2, 'print', 'pending', null, null, null),
        (p5, 1, 'design', 'overdue', now() - interval '30 days', now() - interval '2 hours', null),
        (p5, 2, 'print', 'pending', null, null, null),
        (p6, 1, 'design', 'completed',
            now() - interval '50 days', now() - interval '48 days', now() - interval '49 days'),
        (p6, 2, 'print', 'completed',
            now() - interval '49 days', now() - interval '47 days', now() - interval '48 days')
    ) as s (project_id, sequence, stage_code, status, started_at, due_at, completed_at);
    select id into d1 from app.stages where tenant_id = t and project_id = p1 and stage_code = 'design';
    select id into r1 from app.stages where tenant_id = t and project_id = p1 and stage_code = 'print';
    select id into d2 from app.stages where tenant_id = t and project_id = p2 and stage_code = 'design';
    select id into r2 from app.stages where tenant_id = t and project_id = p2 and stage_code = 'print';
    select id into d3 from app.stages where tenant_id = t and project_id = p3 and stage_code = 'design';
    select id into r3 from app.stages where tenant_id = t and project_id = p3 and stage_code = 'print';
    select id into d5 from app.stages where tenant_id = t and project_id = p5 and stage_code = 'design';
    select id into r5 from app.stages where tenant_id = t and project_id = p5 and stage_code = 'print';
    select id into d6 from app.stages where tenant_id = t and project_id = p6 and stage_code = 'design';
    select id into r6 from app.stages where tenant_id = t and project_id = p6 and stage_code = 'print';

    -- Approvals: P1's design had two revisions, P2's one, P3's is pending.
    insert into app.approvals (tenant_id, project_id, stage_id, token_hash, expires_at, approver_email, status)
    values (t, p1, d1, encode(sha256(convert_to(t || 'a1', 'UTF8')), 'hex'), now(), 'a@acme.test', 'approved')
    returning id into a;
    insert into app.approval_revisions (tenant_id, approval_id, stage_id, revision_number) values
    (t, a, d1, 1), (t, a, d1, 2);
    insert into app.approvals (tenant_id, project_id, stage_id, token_hash, expires_at, approver_email, status)
    values (t, p2, d2, encode(sha256(convert_to(t || 'a2', 'UTF8')), 'hex'), now(), 'b@bolt.test', 'approved')
    returning id into a;
    insert into app.approval_revisions (tenant_id, approval_id, stage_id, revision_number) values (t, a, d2, 1);
    insert into app.approvals (tenant_id, project_id, stage_id, token_hash, expires_at, approver_email)
    values (t, p3, d3, encode(sha256(convert_to(t || 'a3', 'UTF8')), 'hex'), now() + interval '7 days', 'a@acme.test');

    -- Tasks. Done projects' tasks were last touched long ago; open projects' an hour ago.
    insert into app.tasks (
        tenant_id, project_id, stage_id, sequence, title, kind, status, billing_type, fixed_amount, hourly_rate,
        due_date, updated_at
    )
    select
        t, x.project_id, x.stage_id, x.sequence, x.title, x.kind, x.status, x.billing_type, x.fixed_amount,
        x.hourly_rate, x.due_date,
        case when x.project_id in (p3, p5) then now() - interval '1 hour' else now() - interval '40 days' end
    from (values
        (p1, d1, 1, 'Layout', 'task', 'completed', 'hourly', null, 80, null::date),
        (p1, d1, 2, 'Retouch', 'task', 'completed', 'hourly', null, 100, null),
        (p1, d1, 3, 'Proof', 'approval', 'approved', 'milestone', 100, null, null),
        (p1, r1, 1, 'Print run', 'task', 'completed', 'fixed', 300, null, null),
        (p1, r1, 2, 'Pack', 'task', 'completed', 'non_billable', null, null, null),
        (p2, d2, 1, 'Layout', 'task', 'completed', 'hourly', null, 60, null),
        (p2, d2, 2, 'Sign-off', 'approval', 'completed', 'milestone', 150, null, null),
        (p2, r2, 1, 'Print run', 'task', 'completed', 'fixed', 500, null, null),
        (p2, r2, 2, 'Ship', 'task', 'cancelled', 'fixed', 40, null, null),
        (p3, d3, 1, 'Sketch A', 'task', 'todo', 'non_billable', null, null, today - 1),
        (p3, d3, 2, 'Sketch B', 'task', 'in_progress', 'non_billable', null, null, today - 2),
        (p3, d3, 3, 'Sketch C', 'task', 'blocked', 'non_billable', null, null, today - 30),
        (p3, d3, 4, 'Design hours', 'task', 'completed', 'hourly', null, 50, today - 3),
        (p3, d3, 5, 'Idle hours', 'task', 'completed', 'hourly', null, 70, null),
        (p3, r3, 1, 'Print', 'task', 'todo', 'fixed', 99.99, null, null),
        (p5, d5, 1, 'Draft 1', 'task', 'todo', 'non_billable', null, null, today - 1),
        (p5, d5, 2, 'Draft 2', 'task', 'todo', 'non_billable', null, null, today - 5),
        (p5, d5, 3, 'Draft 3', 'task', 'todo', 'non_billable', null, null, today),
        (p5, d5, 4, 'Artwork', 'task', 'approved', 'fixed', 200, null, null),
        (p5, d5, 5, 'Hours', 'task', 'in_progress', 'hourly', null, 90, null),
        (p5, d5, 6, 'Internal', 'task', 'completed', 'non_billable', null, null, null),
        (p5, d5, 7, 'Mount', 'task', 'in_review', 'fixed', 80, null, null),
        (p5, r5, 1, 'Print', 'task', 'todo', 'fixed', 120, null, null),
        (p6, d6, 1, 'Layout', 'task', 'completed', 'non_billable', null, null, null),
        (p6, r6, 1, 'Print run', 'task', 'completed', 'fixed', 250, null, null)
    ) as x (project_id, stage_id, sequence, title, kind, status, billing_type, fixed_amount, hourly_rate, due_date);
    select id into t1a from app.tasks where tenant_id = t and project_id = p1 and title = 'Layout';
    select id into t1b from app.tasks where tenant_id = t and project_id = p1 and title = 'Retouch';
    select id into t1c from app.tasks where tenant_id = t and project_id = p1 and title = 'Print run';
    select id into t2a from app.tasks where tenant_id = t and project_id = p2 and title = 'Layout';
    select id into t3d from app.tasks where tenant_id = t and project_id = p3 and title = 'Design hours';
    select id into t5e from app.tasks where tenant_id = t and project_id = p5 and title = 'Hours';
    select id into t5f from app.tasks where tenant_id = t and project_id = p5 and title = 'Internal';
    select id into t6a from app.tasks where tenant_id = t and project_id = p6 and title = 'Print run';

    -- Contracts: Care plan (Acme, GBP) with a fixed and an hourly line, and assignments ending around the horizon.
    insert into app.contracts (tenant_id, name, status, is_active, currency, owner_client_id)
    values (t, 'Care plan', 'published', true, 'GBP', acme) returning id into ct1;
    insert into app.contract_lines (tenant_id, contract_id, sequence, name, line_type)
    values (t, ct1, 1, 'Monitoring', 'fixed') returning id into cl_fixed;
    insert into app.contract_lines (tenant_id, contract_id, sequence, name, line_type)
    values (t, ct1, 2, 'Support', 'hourly') returning id into cl_hourly;
    insert into app.client_contracts (tenant_id, client_id, contract_id, start_date, end_date, is_active)
    values (t, acme, ct1, m4, today + 30, true) returning id into cc1;
    with c as (
        insert into app.contracts (tenant_id, name, status, is_active, owner_client_id)
        select t, x.name, 'published', true, x.owner from (values
            ('Web care', bolt), ('Print care', bolt), ('Old plan', acme), ('Draft plan', acme), ('Ended plan', bolt)
        ) as x (name, owner)
        returning id, name, owner_client_id
    )
    insert into app.client_contracts (tenant_id, client_id, contract_id, start_date, end_date, is_active, terminated_at)
    select t, c.owner_client_id, c.id, x.start_date, x.end_date, x.is_active, x.terminated_at
    from c
    inner join (values
        ('Web care', m3, today + 90, true, null::timestamptz),
        ('Print care', m3, today + 91, true, null),
        ('Old plan', m4, today - 1, true, null),
        ('Draft plan', m1, today + 60, false, null),
        ('Ended plan', m2, today + 10, true, now() - interval '1 day')
    ) as x (name, start_date, end_date, is_active, terminated_at) on c.name = x.name;

    -- Time: who logged what on which task and day (one hour of Dee's against Care plan's hourly line).
    insert into app.time_entries (tenant_id, task_id, user_id, work_date, hours, contract_line_id) values
    (t, t1a, dee, w3 + 2, 3, null), (t, t1a, dee, w1, 2, null), (t, t1b, pat, w2, 1.5, null),
    (t, t1b, mia, w2 + 4, 1, null), (t, t2a, dee, w1 + 3, 1, null), (t, t3d, dee, w0, 2, null),
    (t, t3d, dee, w0, 1, cl_hourly), (t, t5e, pat, w1 + 2, 1.25, null), (t, t5e, quinn, w3 + 1, 2, null),
    (t, t5f, pat, w0, 0.5, null);

    -- Invoices. Each posted one is sent on its issue date; lines are (description, quantity, unit price, tax rate,
    -- source, task, contract line); payments are (day applied, amount).
    for inv in
        select * from (values
            ('INV-A', acme, 'manual', 'sent', m4, today + 10, 'USD', null::uuid, null::uuid, 100.00, 0, null::date),
            ('INV-B', acme, 'manual', 'sent', m4, today, 'USD', null, null, 200, 0, null),
            ('INV-C', acme, 'manual', 'sent', m4, today - 1, 'USD', null, null, 10, 0, null),
            ('INV-D', acme, 'manual', 'sent', m4, today - 30, 'USD', null, null, 20, 0, null),
            ('INV-E', acme, 'manual', 'sent', m4, today - 31, 'USD', null, null, 40, 0, null),
            ('INV-F', acme, 'manual', 'sent', m4, today - 60, 'USD', null, null, 80, 0, null),
            ('INV-G', acme, 'manual', 'sent', m4, today - 61, 'USD', null, null, 160, 0, null),
            ('INV-H', acme, 'manual', 'partial', m4, today - 90, 'USD', null, null, 320, 20, m3 + 5),
            ('INV-J', acme, 'manual', 'sent', m4, today - 91, 'USD', null, null, 640, 0, null),
            ('INV-K', acme, 'manual', 'paid', m3, m3 + 30, 'USD', null, null, 50, 50, m3 + 10),
            ('INV-V', acme, 'manual', 'void', m3, m3 + 30, 'USD', null, null, 999, 0, null),
            ('INV-L', bolt, 'manual', 'sent', m2, today + 5, 'USD', null, null, 100, 0, null),
            ('INV-I1', acme, 'final', 'paid', m3, m3 + 30, 'USD', p1, null, null, 700, m1),
            ('INV-I3', acme, 'final', 'paid', m2, m2 + 30, 'USD', p6, null, null, 250, m2),
            ('INV-DI3', acme, 'deposit', 'partial', m2 + 3, today + 20, 'USD', p3, o3, 50, 20, m2 + 4),
            ('INV-E1', bolt, 'manual', 'sent', m1, today - 10, 'EUR', null, null, 200, 0, null),
            ('INV-CI', acme, 'contract', 'paid', m1, m1 + 30, 'GBP', null, null, null, 190, m1)
        ) as x (number, client_id, kind, status, issue_date, due_date, currency, project_id, order_id, amount, paid,
            paid_on)
    loop
        insert into app.invoices (
            tenant_id, invoice_number, client_id, project_id, order_id, kind, status, issue_date, due_date, currency,
            sent_at, voided_at, void_reason, client_contract_id
        ) values (
            t, inv.number, inv.client_id, inv.project_id, inv.order_id, inv.kind, inv.status, inv.issue_date,
            inv.due_date, inv.currency, tests.bi_at(inv.issue_date, '9 hours'),
            case when inv.status = 'void' then tests.bi_at(m2 + 1) end,
            case when inv.status = 'void' then 'Sent twice' end,
            case when inv.kind = 'contract' then cc1 end
        ) returning id into i;
        if inv.amount is not null then
            insert into app.invoice_lines (tenant_id, invoice_id, description, quantity, unit_price, tax_rate)
            values (t, i, 'Work', 1, inv.amount, case inv.number when 'INV-L' then 8 else 0 end);
        end if;
        if inv.paid > 0 then
            insert into app.payments (tenant_id, payment_number, client_id, method, amount, currency, received_at)
            values (t, 'PAY-' || inv.number, inv.client_id, 'wire', inv.paid, inv.currency, tests.bi_at(inv.paid_on));
            insert into app.payment_applications (tenant_id, payment_id, invoice_id, amount, applied_at)
            select t, p.id, i, inv.paid, tests.bi_at(inv.paid_on, '10 hours')
            from app.payments as p where p.tenant_id = t and p.payment_number = 'PAY-' || inv.number;
        end if;
        if inv.number = 'INV-I1' then
            insert into app.invoice_lines (
                tenant_id, invoice_id, sequence, description, quantity, unit_price, source_type, task_id
            ) values (t, i, 1, 'Layout (5 h)', 5, 80, 'task', t1a), (t, i, 2, 'Print run', 1, 300, 'task', t1c);
            update app.tasks set invoice_id = i where tenant_id = t and id in (t1a, t1c);
        elsif inv.number = 'INV-I3' then
            insert into app.invoice_lines (
                tenant_id, invoice_id, description, quantity, unit_price, source_type, task_id
            )
            values (t, i, 'Print run', 1, 250, 'task', t6a);
            update app.tasks set invoice_id = i where tenant_id = t and id = t6a;
        elsif inv.number = 'INV-CI' then
            insert into app.invoice_lines (
                tenant_id, invoice_id, sequence, description, quantity, unit_price, source_type, contract_line_id,
                client_contract_id
            ) values
            (t, i, 1, 'Monitoring', 1, 100, 'contract_line', cl_fixed, cc1),
            (t, i, 2, 'Support (1 h)', 1, 90, 'contract_line', cl_hourly, cc1);
        end if;
    end loop;
    -- A draft of P2's hourly task, not sent: the task is claimed, nothing is posted.
    insert into app.invoices (tenant_id, client_id, project_id, kind, status)
    values (t, bolt, p2, 'progress', 'draft') returning id into i;
    insert into app.invoice_lines (tenant_id, invoice_id, description, quantity, unit_price, source_type, task_id)
    values (t, i, 'Layout (1 h)', 1, 60, 'task', t2a);
    update app.tasks set invoice_id = i where tenant_id = t and id = t2a;

    -- Loaded as a bulk load is, with triggers off: its totals are then computed once (migration 0025), as after one.
    previous := current_setting('pgpsa.tenant_id', true);
    perform set_config('pgpsa.tenant_id', t::text, true);
    perform internal.rebuild_totals();
    perform set_config('pgpsa.tenant_id', coalesce(previous, ''), true);
    perform set_config('session_replication_role', 'origin', true);
    return t;
end;
$$;

-- How many rows each view of a schema shows the current session (run as the persona being tried).
create or replace function tests.row_counts(p_schema name) returns table (view_name text, row_count bigint)
language plpgsql volatile
as $$
declare
    v regclass;
begin
    for v in
        select c.oid::regclass from pg_catalog.pg_class as c
        where c.relnamespace = p_schema::regnamespace and c.relkind = 'v' order by c.relname
    loop
        view_name := v::text;
        execute format('select count(*) from %s', v) into row_count;
        return next;
    end loop;
end;
$$;
