-- Client-owned contracts (seed 001): ownership explained in words, templates instantiated for a client, contracts
-- copied for renewal, assignments activated and terminated, and live status derived from the assignment.

-- An assignment's client must own its contract; the foreign key enforces it, this says why in words (first).
create or replace function internal.tg_client_contracts__owner() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    contract record;
begin
    select c.name, c.is_template, c.owner_client_id, c.status, o.name as owner_name
    into contract
    from app.contracts as c
    left join app.clients as o on o.tenant_id = c.tenant_id and o.id = c.owner_client_id
    where c.tenant_id = new.tenant_id and c.id = new.contract_id;
    if contract.name is null then
        perform internal.not_found('contract', new.contract_id);
    elsif contract.is_template then
        raise exception using
            errcode = 'PT409', message = format('Contract %s is a template; instantiate it for the client first.', contract.name);
    elsif contract.owner_client_id is null then
        raise exception using
            errcode = 'PT409', message = format('Contract %s has no owner client, so it cannot be assigned.', contract.name),
            hint = 'Resolve it with the shared-contract split runbook first.';
    elsif contract.status = 'archived' and tg_op = 'INSERT' then
        raise exception using
            errcode = 'PT409', message = format('Contract %s is archived; it cannot be assigned again.', contract.name),
            hint = 'Make a renewal draft from its last assignment, or create a contract from a template.';
    elsif contract.owner_client_id <> new.client_id then
        raise exception using
            errcode = 'PT409',
            message = format('Contract %s belongs to %s; it cannot be assigned to %s.', contract.name, contract.owner_name,
                (select c.name from app.clients as c where c.tenant_id = new.tenant_id and c.id = new.client_id)),
            hint = 'Create a contract for this client from a template instead.';
    end if;
    return new;
end;
$$;

drop trigger if exists trg_client_contracts_100_owner on app.client_contracts;
create trigger trg_client_contracts_100_owner before insert or update of contract_id, client_id on app.client_contracts
for each row execute function internal.tg_client_contracts__owner();

-- A contract header moves as app.contract_status_transitions says (draft -> published -> archived, never back);
-- what it bills in (currency, frequency) is fixed once one of its assignments has been billed, since invoices say
-- what it was.
create or replace function internal.tg_contracts__header() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    refusal text := case when new.status is distinct from old.status then
        internal.transition_refusal('app.contract_status_transitions', old.status, new.status)
    end;
begin
    if refusal is not null then
        raise exception using
            errcode = 'PT409', message = format('Contract %s cannot go from %s to %s.', old.name, old.status, new.status),
            hint = refusal || ' An archived contract is renewed as a new draft.';
    end if;
    if (new.currency, new.billing_frequency) is distinct from (old.currency, old.billing_frequency) and exists (
        select from app.client_contracts as cc
        join app.contract_billings as b on b.tenant_id = cc.tenant_id and b.client_contract_id = cc.id
        where cc.tenant_id = old.tenant_id and cc.contract_id = old.id
    ) then
        raise exception using
            errcode = 'PT409',
            message = format('Contract %s has been billed; its currency and billing frequency stay as invoiced.', old.name),
            hint = 'Make a renewal draft with the new terms instead.';
    end if;
    return null;
end;
$$;

drop trigger if exists trg_contracts_110_header on app.contracts;
-- After the update, so an unknown status meets the check constraint (422) before the transition rule (409).
create trigger trg_contracts_110_header after update of status, currency, billing_frequency on app.contracts
for each row execute function internal.tg_contracts__header();

-- p: any of {name, description, status, billing_frequency, currency}; what is not given stays. Bodies are typed by
-- their shapes (db/migrations/0017_shapes_sales.sql).
drop function if exists api.update_contract(uuid, jsonb);
create or replace function api.update_contract(p_id uuid, p api.contract_patch) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('contracts', 'update');
    update app.contracts as c set
        name = coalesce(p ->> 'name', c.name),
        description = case when p ? 'description' then p ->> 'description' else c.description end,
        status = coalesce(p ->> 'status', c.status),
        billing_frequency = coalesce(p ->> 'billing_frequency', c.billing_frequency),
        currency = coalesce(p ->> 'currency', c.currency)
    where c.tenant_id = internal.current_tenant_id() and c.id = p_id;
    if not found then
        perform internal.not_found('contract', p_id);
    end if;
    return p_id;
end;
$$;

-- Live status of an assignment (seed 001 "Live status semantics"), never from contracts.status.
create or replace function internal.assignment_status(
    p_is_active boolean, p_terminated_at timestamptz, p_start_date date, p_end_date date, p_renewal_state text,
    p_on date
) returns text
language sql immutable parallel safe
begin atomic
    select case
        when p_terminated_at is not null then 'terminated'
        when p_end_date < p_on then 'expired'
        when not p_is_active then 'inactive'
        when p_renewal_state = 'pending_renewal' then 'pending_renewal'
        when p_start_date > p_on then 'upcoming'
        when p_end_date <= p_on + 30 then 'expiring'
        else 'active'
    end;
end;

-- Lines of a contract (with their rate and services) from a jsonb array: [{name, line_type, amount, hourly_rate,
-- services: [{service_name, quantity}]}].
create or replace function internal.add_contract_lines(p_contract_id uuid, p_lines jsonb) returns void
language plpgsql volatile set search_path = ''
as $$
declare
    line jsonb;
    line_no bigint;
    new_line uuid;
begin
    for line, line_no in select x.value, x.ordinality from jsonb_array_elements(coalesce(p_lines, '[]')) with ordinality as x
    loop
        insert into app.contract_lines (tenant_id, contract_id, sequence, name, line_type)
        values (internal.current_tenant_id(), p_contract_id, line_no, line ->> 'name', line ->> 'line_type')
        returning id into new_line;
        insert into app.contract_line_rates (tenant_id, contract_line_id, amount, hourly_rate)
        values (
            internal.current_tenant_id(), new_line, coalesce((line ->> 'amount')::numeric, 0),
            coalesce((line ->> 'hourly_rate')::numeric, 0)
        );
        insert into app.contract_line_services (tenant_id, contract_line_id, service_name, quantity)
        select internal.current_tenant_id(), new_line, s.value ->> 'service_name', coalesce((s.value ->> 'quantity')::numeric, 1)
        from jsonb_array_elements(coalesce(line -> 'services', '[]')) as s;
    end loop;
end;
$$;

-- p: {name, description, billing_frequency, currency, lines: [{name, line_type, amount, hourly_rate}]}.
drop function if exists api.create_contract_template(jsonb);
create or replace function api.create_contract_template(p api.contract_template_create) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
    template uuid;
begin
    perform internal.require_access('contract_templates', 'insert');
    insert into app.contract_templates (tenant_id, name, description, billing_frequency, currency)
    values (
        internal.current_tenant_id(), p ->> 'name', p ->> 'description', coalesce(p ->> 'billing_frequency', 'monthly'),
        coalesce(p ->> 'currency', 'USD')
    ) returning id into template;
    insert into app.contract_template_lines (tenant_id, template_id, sequence, name, line_type, amount, hourly_rate)
    select internal.current_tenant_id(), template, x.ordinality, x.value ->> 'name', x.value ->> 'line_type',
        (x.value ->> 'amount')::numeric, (x.value ->> 'hourly_rate')::numeric
    from jsonb_array_elements(coalesce(p -> 'lines', '[]')) with ordinality as x;
    return template;
end;
$$;

-- p: {name, description, owner_client_id (required unless is_template), is_template, billing_frequency, currency,
-- lines}. The schema refuses a non-template contract without an owner.
drop function if exists api.create_contract(jsonb);
create or replace function api.create_contract(p api.contract_create) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
    contract uuid;
begin
    perform internal.require_access('contracts', 'insert');
    insert into app.contracts (
        tenant_id, name, description, owner_client_id, is_template, billing_frequency, currency
    ) values (
        internal.current_tenant_id(), p ->> 'name', p ->> 'description', (p ->> 'owner_client_id')::uuid,
        coalesce((p ->> 'is_template')::boolean, false), coalesce(p ->> 'billing_frequency', 'monthly'),
        coalesce(p ->> 'currency', 'USD')
    ) returning id into contract;
    perform internal.add_contract_lines(contract, p -> 'lines');
    return contract;
end;
$$;

-- A template is the reusable layer: this makes a contract owned by the client, with the template's lines. The
-- template is the path's; p_client_id is the body's client_id, p the rest of it ({name}).
drop function if exists api.instantiate_contract(uuid, uuid, jsonb);
create or replace function api.instantiate_contract(
    p_template_id uuid, p_client_id uuid, p api.contract_instantiate default '{}'
) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
    template record;
begin
    perform internal.require_access('contracts', 'insert');
    select t.* into template from app.contract_templates as t
    where t.tenant_id = internal.current_tenant_id() and t.id = p_template_id;
    if template.id is null then
        perform internal.not_found('contract template', p_template_id);
    end if;
    return api.create_contract(jsonb_build_object(
        'name', coalesce(p ->> 'name', template.name), 'description', template.description,
        'owner_client_id', p_client_id, 'billing_frequency', template.billing_frequency, 'currency', template.currency,
        'lines', (
            select coalesce(jsonb_agg(jsonb_build_object(
                'name', l.name, 'line_type', l.line_type, 'amount', l.amount, 'hourly_rate', l.hourly_rate
            ) order by l.sequence), '[]')
            from app.contract_template_lines as l where l.tenant_id = template.tenant_id and l.template_id = template.id
        )
    ));
end;
$$;

-- A renewal draft: the assignment's contract copied (header, lines, rates, services, schedules) as a draft owned by
-- the same client; the assignment is marked pending renewal.
create or replace function api.create_renewal_draft(p_client_contract_id uuid) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
    assignment record;
    draft uuid := gen_random_uuid();
begin
    perform internal.require_access('contracts', 'insert');
    select cc.id, cc.contract_id, cc.client_id into assignment from app.client_contracts as cc
    where cc.tenant_id = internal.current_tenant_id() and cc.id = p_client_contract_id;
    if assignment.id is null then
        perform internal.not_found('client contract', p_client_contract_id);
    end if;
    insert into app.contracts (tenant_id, id, name, description, status, billing_frequency, currency, template_id, owner_client_id)
    select c.tenant_id, draft, c.name, c.description, 'draft', c.billing_frequency, c.currency, c.template_id, c.owner_client_id
    from app.contracts as c where c.tenant_id = internal.current_tenant_id() and c.id = assignment.contract_id;
    with line_map as materialized (
        select l.id as old_id, gen_random_uuid() as new_id from app.contract_lines as l
        where l.tenant_id = internal.current_tenant_id() and l.contract_id = assignment.contract_id
    ),
    lines as (
        insert into app.contract_lines (tenant_id, id, contract_id, sequence, name, line_type)
        select l.tenant_id, m.new_id, draft, l.sequence, l.name, l.line_type
        from app.contract_lines as l join line_map as m on l.id = m.old_id
        where l.tenant_id = internal.current_tenant_id()
        returning id
    ),
    -- Data-modifying CTEs all run to completion; the foreign keys are checked at the end of the statement.
    rates as (
        insert into app.contract_line_rates (tenant_id, contract_line_id, amount, hourly_rate)
        select r.tenant_id, m.new_id, r.amount, r.hourly_rate
        from app.contract_line_rates as r join line_map as m on r.contract_line_id = m.old_id
        where r.tenant_id = internal.current_tenant_id()
        returning id
    ),
    services as (
        insert into app.contract_line_services (tenant_id, contract_line_id, service_name, quantity)
        select s.tenant_id, m.new_id, s.service_name, s.quantity
        from app.contract_line_services as s join line_map as m on s.contract_line_id = m.old_id
        where s.tenant_id = internal.current_tenant_id()
        returning id
    )
    insert into app.contract_line_pricing_schedules (tenant_id, contract_line_id, effective_from, effective_to, amount)
    select ps.tenant_id, m.new_id, ps.effective_from, ps.effective_to, ps.amount
    from app.contract_line_pricing_schedules as ps join line_map as m on ps.contract_line_id = m.old_id
    where ps.tenant_id = internal.current_tenant_id();
    update app.client_contracts as cc set renewal_state = 'pending_renewal'
    where cc.tenant_id = internal.current_tenant_id() and cc.id = p_client_contract_id;
    perform internal.record_event('contract.renewal_drafted', 'client_contract', p_client_contract_id,
        jsonb_build_object('draft_contract_id', draft));
    return draft;
end;
$$;

-- p: {client_id, start_date, end_date, po_number}; the assignment starts inactive until activated.
drop function if exists api.assign_contract(uuid, jsonb);
create or replace function api.assign_contract(p_contract_id uuid, p api.assignment_create) returns uuid
language sql volatile set search_path = ''
begin atomic
    select internal.require_access('client_contracts', 'insert');
    insert into app.client_contracts (tenant_id, client_id, contract_id, start_date, end_date, po_number)
    values (
        internal.current_tenant_id(), (p ->> 'client_id')::uuid, p_contract_id,
        coalesce((p ->> 'start_date')::date, current_date), (p ->> 'end_date')::date, p ->> 'po_number'
    )
    returning id;
end;

create or replace function internal.find_client_contract(p_id uuid) returns uuid
language plpgsql stable set search_path = ''
as $$
begin
    if not exists (
        select from app.client_contracts as cc where cc.tenant_id = internal.current_tenant_id() and cc.id = p_id
    ) then
        perform internal.not_found('client contract', p_id);
    end if;
    return p_id;
end;
$$;

create or replace function api.activate_client_contract(p_id uuid) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('client_contracts', 'update');
    perform internal.find_client_contract(p_id);
    update app.client_contracts as cc set is_active = true
    where cc.tenant_id = internal.current_tenant_id() and cc.id = p_id and cc.terminated_at is null;
    if not found then
        raise exception using errcode = 'PT409', message = 'A terminated assignment cannot be activated again.',
            hint = 'Assign the contract again with new dates.';
    end if;
    perform internal.record_event('contract.activated', 'client_contract', p_id, '{}');
    return p_id;
end;
$$;

create or replace function api.terminate_client_contract(p_id uuid, p_end_date date default current_date) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('client_contracts', 'update');
    perform internal.find_client_contract(p_id);
    update app.client_contracts as cc set
        is_active = false, terminated_at = now(), end_date = least(coalesce(cc.end_date, p_end_date), p_end_date)
    where cc.tenant_id = internal.current_tenant_id() and cc.id = p_id and cc.terminated_at is null;
    if not found then
        raise exception using errcode = 'PT409', message = 'This assignment is already terminated.';
    end if;
    perform internal.record_event('contract.terminated', 'client_contract', p_id, jsonb_build_object('end_date', p_end_date));
    return p_id;
end;
$$;

-- Unassigning removes an assignment that never billed; one with history is terminated instead.
create or replace function api.unassign_client_contract(p_id uuid) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('client_contracts', 'delete');
    perform internal.find_client_contract(p_id);
    if exists (select from app.invoices as i where i.tenant_id = internal.current_tenant_id() and i.client_contract_id = p_id)
        or exists (
            select from app.contract_billings as b where b.tenant_id = internal.current_tenant_id() and b.client_contract_id = p_id
        ) then
        raise exception using errcode = 'PT409', message = 'This assignment has been billed; terminate it instead.';
    end if;
    delete from app.client_contracts as cc where cc.tenant_id = internal.current_tenant_id() and cc.id = p_id;
    return p_id;
end;
$$;

grant execute on function internal.add_contract_lines(uuid, jsonb), internal.find_client_contract(uuid) to
pgpsa_door_api;
