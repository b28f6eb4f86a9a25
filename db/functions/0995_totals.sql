-- The triggers that keep the totals of migration 0025 (app.task_totals, app.user_week_hours, app.invoice_balances)
-- equal to the rows they sum, at every commit, whoever writes. Each source row adds its share as it is written and
-- takes it back as it changes or goes: the same helper does both, with a sign. All run as the owner (no door may
-- write a total) in the tenant of the rows written, which RLS already checked for the writer.

-- A total is written by these triggers only (or by internal.rebuild_totals): any other write is refused, the owner's
-- too, so no function can set a total that its rows do not add up to.
create or replace function internal.tg__derived_totals() returns trigger
language plpgsql set search_path = ''
as $$
begin
    if pg_trigger_depth() > 1 or current_setting('pgpsa.rebuilding_totals', true) = 'on' then
        return case tg_op when 'DELETE' then old else new end;
    end if;
    raise exception using
        errcode = 'PT403',
        message = format('%s is kept by the database from the rows it sums: it cannot be written.', tg_table_name);
end;
$$;

drop trigger if exists trg_task_totals_100_derived_totals on app.task_totals;
create trigger trg_task_totals_100_derived_totals before insert or update or delete on app.task_totals
for each row execute function internal.tg__derived_totals();
drop trigger if exists trg_project_totals_100_derived_totals on app.project_totals;
create trigger trg_project_totals_100_derived_totals before insert or update or delete on app.project_totals
for each row execute function internal.tg__derived_totals();
drop trigger if exists trg_user_week_hours_100_derived_totals on app.user_week_hours;
create trigger trg_user_week_hours_100_derived_totals before insert or update or delete on app.user_week_hours
for each row execute function internal.tg__derived_totals();
drop trigger if exists trg_invoice_balances_100_derived_totals on app.invoice_balances;
create trigger trg_invoice_balances_100_derived_totals before insert or update or delete on app.invoice_balances
for each row execute function internal.tg__derived_totals();

-- The labor cost of one time entry: its hours x the rate of its worker's role now, in effect on the day worked (the
-- latest rate from on or before it), rounded half-up to cents as every priced line is; rated says a rate applied.
-- No SET clause, so the planner inlines it into the query that joins it (its SQL-standard body was resolved when it
-- was made, whatever the caller's search_path): with one, it was a call planned again in every transaction, 0.37 ms
-- of a logged time entry's 2.4.
create or replace function internal.entry_labor(p_tenant_id uuid, p_user_id uuid, p_work_date date, p_hours numeric)
returns table (cost numeric, rated boolean)
language sql stable
begin atomic
    select
        coalesce(internal.line_gross(p_hours, r.hourly_rate), 0) as cost,
        r.hourly_rate is not null as rated
    from app.users as u
    left join lateral (
        select x.hourly_rate from app.labor_rates as x
        where x.tenant_id = u.tenant_id and x.role = u.role and x.effective_from <= p_work_date
        order by x.effective_from desc
        limit 1
    ) as r on true
    where u.tenant_id = p_tenant_id and u.id = p_user_id;
end;

-- The triggers sum the rows of the tenant written, reading them as the owner under forced RLS: a request already
-- acts as that tenant; a superuser's own write (a DBA at psql) has no request tenant, so the trigger takes the
-- rows' tenant for the time it runs and gives the session its own back (internal.leave_tenant).
create or replace function internal.enter_tenant(p_tenant_id uuid) returns text
language plpgsql volatile set search_path = ''
as $$
declare
    previous text := current_setting('pgpsa.tenant_id', true);
begin
    if internal.current_tenant_id() is null then
        perform set_config('pgpsa.tenant_id', p_tenant_id::text, true);
    end if;
    return previous;
end;
$$;

create or replace function internal.leave_tenant(p_previous text) returns void
language sql volatile set search_path = ''
begin atomic
    select set_config('pgpsa.tenant_id', coalesce(p_previous, ''), true);
end;

-- A task's totals changed: its project's follow (the old row's share taken back, the new one's added).
create or replace function internal.tg_task_totals__project_totals() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    previous text := internal.enter_tenant(coalesce(new.tenant_id, old.tenant_id));
begin
    if tg_op in ('UPDATE', 'DELETE') then
        update app.project_totals as p set
            hours = p.hours - old.hours,
            unrated_hours = p.unrated_hours - old.unrated_hours,
            labor_cost = p.labor_cost - old.labor_cost,
            realized_hours = p.realized_hours - old.realized_hours,
            standard_value = p.standard_value - old.standard_value,
            realized_billed = p.realized_billed - old.realized_billed
        where p.tenant_id = old.tenant_id and p.project_id = old.project_id;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        insert into app.project_totals as p (
            tenant_id, project_id, hours, unrated_hours, labor_cost, realized_hours, standard_value, realized_billed
        )
        values (
            new.tenant_id, new.project_id, new.hours, new.unrated_hours, new.labor_cost, new.realized_hours,
            new.standard_value, new.realized_billed
        )
        on conflict (tenant_id, project_id) do update set
            hours = p.hours + excluded.hours,
            unrated_hours = p.unrated_hours + excluded.unrated_hours,
            labor_cost = p.labor_cost + excluded.labor_cost,
            realized_hours = p.realized_hours + excluded.realized_hours,
            standard_value = p.standard_value + excluded.standard_value,
            realized_billed = p.realized_billed + excluded.realized_billed;
    end if;
    perform internal.leave_tenant(previous);
    return null;
end;
$$;

drop trigger if exists trg_task_totals_600_project_totals on app.task_totals;
create trigger trg_task_totals_600_project_totals after insert or update or delete on app.task_totals
for each row execute function internal.tg_task_totals__project_totals();

-- Labor costs follow the rates: an entry's cost is added at today's rates, and a rate or role change re-costs the
-- entries it touches (internal.recost_labor). Entry writers hold a shared lock on their tenant's labor and re-costing
-- holds it alone, so a cost is never added at a rate a concurrent re-costing has just replaced.
create or replace function internal.labor_lock_key(p_tenant_id uuid) returns bigint
language sql immutable parallel safe set search_path = ''
begin atomic
    select hashtextextended('labor:' || p_tenant_id::text, 0);
end;

-- Time entries added (p_sign 1) or taken back (-1): their task's hours and cost, their person's week. An entry
-- counts as billable while its task exists and is billed hourly (a task re-typed or deleted first moves its hours
-- out: internal.move_billable_hours).
create or replace function internal.add_time_totals(p_sign integer, p_entries app.time_entries[]) returns void
language plpgsql volatile set search_path = ''
as $$
begin
    perform pg_advisory_xact_lock_shared(internal.labor_lock_key(x.tenant_id))
    from (select distinct e.tenant_id from unnest(p_entries) as e) as x;
    with sums as (
        select
            e.tenant_id, e.task_id, p_sign * sum(e.hours) as hours,
            p_sign * coalesce(sum(e.hours) filter (where e.contract_line_id is null), 0) as uncontracted_hours,
            p_sign * coalesce(sum(e.hours) filter (where c.rated is not true), 0) as unrated_hours,
            p_sign * coalesce(sum(c.cost), 0) as labor_cost
        from unnest(p_entries) as e
        left join lateral internal.entry_labor(e.tenant_id, e.user_id, e.work_date, e.hours) as c on true
        group by e.tenant_id, e.task_id
    )
    insert into app.task_totals as t (
        tenant_id, task_id, project_id, billing_type, hourly_rate, hours, uncontracted_hours, unrated_hours, labor_cost
    )
    -- A task deleted in this statement takes its totals with it: nothing to add back.
    select
        s.tenant_id, s.task_id, k.project_id, k.billing_type, k.hourly_rate, s.hours, s.uncontracted_hours,
        s.unrated_hours, s.labor_cost
    from sums as s
    join app.tasks as k on k.tenant_id = s.tenant_id and k.id = s.task_id
    on conflict (tenant_id, task_id) do update set
        hours = t.hours + excluded.hours,
        uncontracted_hours = t.uncontracted_hours + excluded.uncontracted_hours,
        unrated_hours = t.unrated_hours + excluded.unrated_hours,
        labor_cost = t.labor_cost + excluded.labor_cost;

    insert into app.user_week_hours as w (tenant_id, user_id, week, hours, billable_hours)
    select
        e.tenant_id, e.user_id, internal.report_week(e.work_date), p_sign * sum(e.hours),
        p_sign * coalesce(sum(e.hours) filter (where k.billing_type = 'hourly'), 0)
    from unnest(p_entries) as e
    left join app.tasks as k on k.tenant_id = e.tenant_id and k.id = e.task_id
    group by e.tenant_id, e.user_id, internal.report_week(e.work_date)
    on conflict (tenant_id, user_id, week) do update set
        hours = w.hours + excluded.hours,
        billable_hours = w.billable_hours + excluded.billable_hours;
end;
$$;

-- The statement triggers of every summed table (time entries, invoice lines, payment applications): the rows that
-- went are taken back, the rows that came are added, by the helper the trigger names (internal.add_<x>_totals, taking
-- a sign and the rows), tenant by tenant (a superuser's statement may write several).
create or replace function internal.tg__add_totals() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    helper text := tg_argv[0];
    row_type text := format('%I.%I', tg_table_schema, tg_table_name);
    side record;
    tenant uuid;
    previous text;
begin
    -- Each transition table is read only by the events that have it.
    for side in
        select v.sign, v.rows from (values (-1, 'old_rows'), (1, 'new_rows')) as v (sign, rows)
        where (v.sign = -1 and tg_op in ('UPDATE', 'DELETE')) or (v.sign = 1 and tg_op in ('INSERT', 'UPDATE'))
    loop
        for tenant in execute format('select distinct r.tenant_id from %I as r', side.rows) loop
            previous := internal.enter_tenant(tenant);
            execute format(
                'select internal.%I($1, (select array_agg(r::%s) from %I as r where r.tenant_id = $2))',
                helper, row_type, side.rows
            ) using side.sign, tenant;
            perform internal.leave_tenant(previous);
        end loop;
    end loop;
    return null;
end;
$$;

drop trigger if exists trg_time_entries_600_totals_insert on app.time_entries;
create trigger trg_time_entries_600_totals_insert after insert on app.time_entries referencing new table as new_rows
for each statement execute function internal.tg__add_totals('add_time_totals');
drop trigger if exists trg_time_entries_600_totals_update on app.time_entries;
create trigger trg_time_entries_600_totals_update after update on app.time_entries
referencing old table as old_rows new table as new_rows
for each statement execute function internal.tg__add_totals('add_time_totals');
drop trigger if exists trg_time_entries_600_totals_delete on app.time_entries;
create trigger trg_time_entries_600_totals_delete after delete on app.time_entries referencing old table as old_rows
for each statement execute function internal.tg__add_totals('add_time_totals');

-- A task's hours move into (p_sign 1) or out of (-1) its people's billable hours: when it becomes, or stops being,
-- billed hourly, and before it is deleted (its entries then go with it, no longer billable).
create or replace function internal.move_billable_hours(p_tenant_id uuid, p_task_id uuid, p_sign integer) returns void
language plpgsql volatile set search_path = ''
as $$
begin
    update app.user_week_hours as w set billable_hours = w.billable_hours + p_sign * s.hours
    from (
        select
            e.user_id,
            internal.report_week(e.work_date) as week,
            sum(e.hours) as hours
        from app.time_entries as e
        where e.tenant_id = p_tenant_id and e.task_id = p_task_id
        group by e.user_id, internal.report_week(e.work_date)
    ) as s
    where w.tenant_id = p_tenant_id and w.user_id = s.user_id and w.week = s.week;
end;
$$;

create or replace function internal.tg_tasks__billable_hours() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    previous text := internal.enter_tenant(coalesce(new.tenant_id, old.tenant_id));
begin
    if tg_op = 'DELETE' then
        perform internal.move_billable_hours(old.tenant_id, old.id, -1);
        perform internal.leave_tenant(previous);
        return old;
    end if;
    perform internal.move_billable_hours(new.tenant_id, new.id, case when new.billing_type = 'hourly' then 1 else -1 end);
    perform internal.leave_tenant(previous);
    return null;
end;
$$;

drop trigger if exists trg_tasks_600_billable_hours on app.tasks;
create trigger trg_tasks_600_billable_hours after update of billing_type on app.tasks
for each row when ((old.billing_type = 'hourly') is distinct from (new.billing_type = 'hourly'))
execute function internal.tg_tasks__billable_hours();
-- Last of the before-delete triggers (none after it may cancel the delete): the delete happens, or the statement fails.
drop trigger if exists trg_tasks_990_billable_hours_delete on app.tasks;
create trigger trg_tasks_990_billable_hours_delete before delete on app.tasks
for each row when (old.billing_type = 'hourly') execute function internal.tg_tasks__billable_hours();

-- A task moved to another project (no door moves one; the owner might), re-typed or re-rated: its totals follow.
create or replace function internal.tg_tasks__totals() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    previous text := internal.enter_tenant(new.tenant_id);
begin
    update app.task_totals as t
    set project_id = new.project_id, billing_type = new.billing_type, hourly_rate = new.hourly_rate
    where t.tenant_id = new.tenant_id and t.task_id = new.id;
    perform internal.leave_tenant(previous);
    return null;
end;
$$;

drop trigger if exists trg_tasks_600_totals on app.tasks;
create trigger trg_tasks_600_totals after update of project_id, billing_type, hourly_rate on app.tasks
for each row when (
    (old.project_id, old.billing_type, old.hourly_rate)
    is distinct from (new.project_id, new.billing_type, new.hourly_rate)
)
execute function internal.tg_tasks__totals();

-- The tasks with time by these people re-costed from all their entries at the rates now in force (a role or a rate
-- changed). Waits for entry writers of the tenant to finish, and they for it.
create or replace function internal.recost_labor(p_tenant_id uuid, p_user_ids uuid[]) returns void
language plpgsql volatile set search_path = ''
as $$
begin
    perform pg_advisory_xact_lock(internal.labor_lock_key(p_tenant_id));
    update app.task_totals as t set labor_cost = s.labor_cost, unrated_hours = s.unrated_hours
    from (
        select
            e.task_id, coalesce(sum(c.cost), 0) as labor_cost,
            coalesce(sum(e.hours) filter (where c.rated is not true), 0) as unrated_hours
        from app.time_entries as e
        left join lateral internal.entry_labor(e.tenant_id, e.user_id, e.work_date, e.hours) as c on true
        where e.tenant_id = p_tenant_id and e.task_id in (
            select x.task_id from app.time_entries as x where x.tenant_id = p_tenant_id and x.user_id = any(p_user_ids)
        )
        group by e.task_id
    ) as s
    where t.tenant_id = p_tenant_id and t.task_id = s.task_id;
end;
$$;

create or replace function internal.tg_users__recost_labor() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    previous text := internal.enter_tenant(new.tenant_id);
begin
    perform internal.recost_labor(new.tenant_id, array[new.id]);
    perform internal.leave_tenant(previous);
    return null;
end;
$$;

drop trigger if exists trg_users_600_recost_labor on app.users;
create trigger trg_users_600_recost_labor after update of role on app.users
for each row when (old.role is distinct from new.role) execute function internal.tg_users__recost_labor();

create or replace function internal.tg_labor_rates__recost_labor() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    r record := case tg_op when 'DELETE' then old else new end;
    previous text := internal.enter_tenant(r.tenant_id);
begin
    perform internal.recost_labor(r.tenant_id, array(
        select u.id from app.users as u
        where u.tenant_id = r.tenant_id
          and u.role in (r.role, case when tg_op = 'UPDATE' then old.role end)
    ));
    perform internal.leave_tenant(previous);
    return null;
end;
$$;

drop trigger if exists trg_labor_rates_600_recost_labor on app.labor_rates;
create trigger trg_labor_rates_600_recost_labor after insert or update or delete on app.labor_rates
for each row execute function internal.tg_labor_rates__recost_labor();

-- Invoice lines added or taken back: their invoice's total. (Lines change only on drafts, whose lines bill nothing
-- yet: what a task was billed moves with its invoice's posting and voiding, below.)
create or replace function internal.add_line_totals(p_sign integer, p_lines app.invoice_lines[]) returns void
language plpgsql volatile set search_path = ''
as $$
begin
    insert into app.invoice_balances as b (tenant_id, invoice_id, total)
    select
        l.tenant_id,
        l.invoice_id,
        p_sign * sum(l.line_total + l.tax_amount) as total
    from unnest(p_lines) as l
    -- An invoice deleted in this statement takes its balance with it.
    where exists (select from app.invoices as i where i.tenant_id = l.tenant_id and i.id = l.invoice_id)
    group by l.tenant_id, l.invoice_id
    on conflict (tenant_id, invoice_id) do update set total = b.total + excluded.total;
end;
$$;

drop trigger if exists trg_invoice_lines_600_totals_insert on app.invoice_lines;
create trigger trg_invoice_lines_600_totals_insert after insert on app.invoice_lines referencing new table as new_rows
for each statement execute function internal.tg__add_totals('add_line_totals');
drop trigger if exists trg_invoice_lines_600_totals_update on app.invoice_lines;
create trigger trg_invoice_lines_600_totals_update after update on app.invoice_lines
referencing old table as old_rows new table as new_rows
for each statement execute function internal.tg__add_totals('add_line_totals');
drop trigger if exists trg_invoice_lines_600_totals_delete on app.invoice_lines;
create trigger trg_invoice_lines_600_totals_delete after delete on app.invoice_lines referencing old table as old_rows
for each statement execute function internal.tg__add_totals('add_line_totals');

-- Payments applied or unapplied: their invoice's paid amount.
create or replace function internal.add_paid_totals(p_sign integer, p_applications app.payment_applications[])
returns void
language plpgsql volatile set search_path = ''
as $$
begin
    insert into app.invoice_balances as b (tenant_id, invoice_id, paid)
    select
        a.tenant_id,
        a.invoice_id,
        p_sign * sum(a.amount) as paid
    from unnest(p_applications) as a
    where exists (select from app.invoices as i where i.tenant_id = a.tenant_id and i.id = a.invoice_id)
    group by a.tenant_id, a.invoice_id
    on conflict (tenant_id, invoice_id) do update set paid = b.paid + excluded.paid;
end;
$$;

drop trigger if exists trg_payment_applications_600_totals_insert on app.payment_applications;
create trigger trg_payment_applications_600_totals_insert after insert on app.payment_applications
referencing new table as new_rows
for each statement execute function internal.tg__add_totals('add_paid_totals');
drop trigger if exists trg_payment_applications_600_totals_update on app.payment_applications;
create trigger trg_payment_applications_600_totals_update after update on app.payment_applications
referencing old table as old_rows new table as new_rows
for each statement execute function internal.tg__add_totals('add_paid_totals');
drop trigger if exists trg_payment_applications_600_totals_delete on app.payment_applications;
create trigger trg_payment_applications_600_totals_delete after delete on app.payment_applications
referencing old table as old_rows
for each statement execute function internal.tg__add_totals('add_paid_totals');

-- Invoices posted (p_sign 1) or voided (-1): what their task lines billed is added to, or taken from, their tasks'
-- totals. Only tasks with time have totals (realization weighs what was billed against hours); no time is logged on
-- a task while it is on an invoice, so a task's time is all there before the posting it is billed by.
create or replace function internal.add_billed_totals(p_sign integer, p_tenant_id uuid, p_invoice_ids uuid[])
returns void
language plpgsql volatile set search_path = ''
as $$
begin
    update app.task_totals as t set billed_amount = t.billed_amount + p_sign * s.amount
    from (
        select
            l.task_id,
            sum(l.line_total) as amount
        from app.invoice_lines as l
        where
            l.tenant_id = p_tenant_id and l.invoice_id = any(p_invoice_ids) and l.source_type = 'task'
            and l.task_id is not null
        group by l.task_id
    ) as s
    where t.tenant_id = p_tenant_id and t.task_id = s.task_id;
end;
$$;

create or replace function internal.tg_invoices__billed_totals() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    previous text := internal.enter_tenant(new.tenant_id);
begin
    perform internal.add_billed_totals(
        case when new.status in ('sent', 'partial', 'paid') then 1 else -1 end, new.tenant_id, array[new.id]
    );
    perform internal.leave_tenant(previous);
    return null;
end;
$$;

drop trigger if exists trg_invoices_600_billed_totals on app.invoices;
create trigger trg_invoices_600_billed_totals after update of status on app.invoices
for each row when (
    (old.status in ('sent', 'partial', 'paid')) is distinct from (new.status in ('sent', 'partial', 'paid'))
)
execute function internal.tg_invoices__billed_totals();

-- Every total of the request's tenant recomputed from the rows it sums (the backfill, a bulk load's last step, and
-- the tests' reference): emptied, then every row added by the same helpers the triggers call. Rows the sums no
-- longer need are removed. Project totals are summed from the task totals at the end (a bulk load runs it with
-- triggers off, so app.task_totals' own trigger has not made them).
create or replace function internal.rebuild_totals() returns void
language plpgsql volatile set search_path = ''
as $$
declare
    tenant uuid := internal.current_tenant_id();
begin
    perform set_config('pgpsa.rebuilding_totals', 'on', true);
    delete from app.project_totals where tenant_id = tenant;
    delete from app.task_totals where tenant_id = tenant;
    delete from app.user_week_hours where tenant_id = tenant;
    delete from app.invoice_balances where tenant_id = tenant;
    perform internal.add_time_totals(1, array(select e from app.time_entries as e where e.tenant_id = tenant));
    perform internal.add_billed_totals(1, tenant, array(
        select i.id from app.invoices as i where i.tenant_id = tenant and i.status in ('sent', 'partial', 'paid')
    ));
    perform internal.add_line_totals(1, array(select l from app.invoice_lines as l where l.tenant_id = tenant));
    perform internal.add_paid_totals(1, array(
        select a from app.payment_applications as a where a.tenant_id = tenant
    ));
    delete from app.project_totals where tenant_id = tenant;
    insert into app.project_totals (
        tenant_id, project_id, hours, unrated_hours, labor_cost, realized_hours, standard_value, realized_billed
    )
    select
        tenant, x.project_id, sum(x.hours), sum(x.unrated_hours), sum(x.labor_cost), sum(x.realized_hours),
        sum(x.standard_value), sum(x.realized_billed)
    from app.task_totals as x
    where x.tenant_id = tenant
    group by x.project_id;
    perform set_config('pgpsa.rebuilding_totals', 'off', true);
end;
$$;

-- Totals for each tenant with rows to sum and none kept (a database just migrated to 0025, a tenant bulk-loaded with
-- triggers off); run by db/policies/9900_backfills.sql, once every policy is in place. With every tenant's totals
-- there it reads a few index entries per tenant and writes nothing.
create or replace function internal.rebuild_missing_totals() returns integer
language plpgsql volatile set search_path = ''
as $$
declare
    t uuid;
    rebuilt integer := 0;
    previous text := current_setting('pgpsa.tenant_id', true);
begin
    -- Tenant by tenant: the owner reads a tenant's rows only as that tenant (forced RLS).
    for t in select n.id from app.tenants as n loop
        perform set_config('pgpsa.tenant_id', t::text, true);
        if (
            exists (select from app.time_entries as e where e.tenant_id = t)
            and not exists (select from app.task_totals as x where x.tenant_id = t)
        ) or (
            exists (select from app.invoice_lines as l where l.tenant_id = t)
            and not exists (select from app.invoice_balances as b where b.tenant_id = t)
        ) then
            perform internal.rebuild_totals();
            rebuilt := rebuilt + 1;
        end if;
    end loop;
    perform set_config('pgpsa.tenant_id', coalesce(previous, ''), true);
    return rebuilt;
end;
$$;
