-- Contracts become client-owned (seed 001 "Data migration", "Guardrails"): every shared non-template contract is
-- split (the assignment with invoice history, else the earliest start, keeps the original; every other client gets a
-- clone of the header, lines and config, and its assignments are repointed; invoices are never retargeted), then
-- ownership is enforced by the schema. Deterministic and safe to re-run. A group whose clone would lose or
-- misattribute something (contract documents, invoices, time or billings of a clone-target client) fails closed:
-- it is left exactly as it was and named. The preflight reports all of it without changing anything.
-- depends: 0007_contracts_shared

-- Finance runs contract billing (seed 001 "Billing admin"), so it manages contracts too.
insert into app.role_permissions (role, permission) values ('finance', 'contracts:read'), ('finance', 'contracts:write')
on conflict do nothing;

alter table app.contracts add column owner_client_id uuid;
alter table app.contracts add constraint fk_contracts_owner_client_id_clients foreign key (tenant_id, owner_client_id)
references app.clients (tenant_id, id);
create index index_contracts_on_owner_client_id on app.contracts (tenant_id, owner_client_id);
-- The target of the ownership reference from client_contracts.
alter table app.contracts add constraint unique_contracts_owner unique (tenant_id, id, owner_client_id);

-- Every group of a shared non-template contract, its assignments, what each becomes and what blocks it.
-- Runs tenant by tenant with the tenant set, so forced RLS stays on for the owner that runs it.
create function internal.contract_split_preflight()
returns table (
    tenant_id uuid, contract_id uuid, contract_name text, client_contract_id uuid, client_id uuid,
    start_date date, has_invoices boolean, role text, blockers text
)
language plpgsql volatile security definer set search_path = ''
as $$
declare
    tenant uuid;
    caller_tenant text := current_setting('pgpsa.tenant_id', true);
begin
    for tenant in select t.id from app.tenants as t order by t.id loop
        perform set_config('pgpsa.tenant_id', tenant::text, true);
        return query
        with shared as (
            select cc.contract_id from app.client_contracts as cc
            join app.contracts as c on c.tenant_id = cc.tenant_id and c.id = cc.contract_id and not c.is_template
            where cc.tenant_id = tenant
            group by cc.contract_id
            having count(distinct cc.client_id) > 1
        ),
        assignments as (
            select
                cc.tenant_id, cc.contract_id, c.name, cc.id, cc.client_id, cc.start_date, cc.created_at,
                exists (
                    select from app.invoices as i where i.tenant_id = cc.tenant_id and i.client_contract_id = cc.id
                ) as invoiced
            from app.client_contracts as cc
            join shared as s on s.contract_id = cc.contract_id
            join app.contracts as c on c.tenant_id = cc.tenant_id and c.id = cc.contract_id
            where cc.tenant_id = tenant
        ),
        keeper as (
            -- Exactly one invoiced assignment keeps the original; otherwise the earliest start (then creation, id).
            select distinct on (a.contract_id) a.contract_id, a.client_id
            from assignments as a
            order by
                a.contract_id,
                (a.invoiced and (select count(*) from assignments as b where b.contract_id = a.contract_id and b.invoiced) = 1)
                desc,
                a.start_date, a.created_at, a.id
        )
        select
            a.tenant_id, a.contract_id, a.name, a.id, a.client_id, a.start_date, a.invoiced,
            case when a.client_id = k.client_id then 'preserve' else 'clone' end,
            case when a.client_id <> k.client_id then nullif(concat_ws('; ',
                case when exists (
                    select from app.contract_documents as d where d.tenant_id = a.tenant_id and d.contract_id = a.contract_id
                ) then 'the contract has contract-scoped documents' end,
                case when a.invoiced then 'this assignment has invoices' end,
                case when exists (
                    select from app.contract_billings as cb where cb.tenant_id = a.tenant_id and cb.client_contract_id = a.id
                ) then 'this assignment has billed periods' end,
                case when exists (
                    select from app.time_entries as e
                    join app.contract_lines as l on l.tenant_id = e.tenant_id and l.id = e.contract_line_id
                    join app.tasks as t on t.tenant_id = e.tenant_id and t.id = e.task_id
                    join app.projects as p on p.tenant_id = t.tenant_id and p.id = t.project_id
                    where e.tenant_id = a.tenant_id and l.contract_id = a.contract_id and p.client_id = a.client_id
                ) then 'this client has time logged on the contract''s lines' end
            ), '') end
        from assignments as a
        join keeper as k on k.contract_id = a.contract_id
        order by a.contract_id, 8 desc, a.start_date, a.id;
    end loop;
    perform set_config('pgpsa.tenant_id', coalesce(caller_tenant, ''), true);
end;
$$;

-- Splits every unblocked shared group: one clone per other client (header, lines, services, rates, schedules),
-- its assignments repointed; then every unshared non-template contract gets its one client as owner.
-- Returns one row per group: split, or blocked with the reasons. Re-running finds nothing left to do.
create function internal.split_shared_contracts()
returns table (tenant_id uuid, contract_id uuid, contract_name text, outcome text, detail text)
language plpgsql volatile security definer set search_path = ''
as $$
declare
    grp record;
    target record;
    clone uuid;
    n_copied bigint;
    caller_tenant text := current_setting('pgpsa.tenant_id', true);
begin
    for grp in
        select p.tenant_id, p.contract_id, min(p.contract_name) as name,
            string_agg(p.blockers, '; ' order by p.start_date) filter (where p.blockers is not null) as blockers
        from internal.contract_split_preflight() as p
        group by p.tenant_id, p.contract_id
        order by p.tenant_id, p.contract_id
    loop
        tenant_id := grp.tenant_id; contract_id := grp.contract_id; contract_name := grp.name;
        if grp.blockers is not null then
            outcome := 'blocked'; detail := grp.blockers;
            raise warning 'contract % (%) not split: %', grp.name, grp.contract_id, grp.blockers;
            return next;
            continue;
        end if;
        perform set_config('pgpsa.tenant_id', grp.tenant_id::text, true);
        detail := '';
        for target in
            select p.client_id, array_agg(p.client_contract_id) as assignments
            from internal.contract_split_preflight() as p
            where p.tenant_id = grp.tenant_id and p.contract_id = grp.contract_id and p.role = 'clone'
            group by p.client_id order by p.client_id
        loop
            perform set_config('pgpsa.tenant_id', grp.tenant_id::text, true);
            clone := gen_random_uuid();
            insert into app.contracts (
                tenant_id, id, name, description, status, is_active, billing_frequency, currency, is_template,
                template_id, owner_client_id
            )
            select c.tenant_id, clone, c.name, c.description, c.status, c.is_active, c.billing_frequency, c.currency,
                false, c.template_id, target.client_id
            from app.contracts as c where c.tenant_id = grp.tenant_id and c.id = grp.contract_id;
            with line_map as materialized (
                select l.id as old_id, gen_random_uuid() as new_id from app.contract_lines as l
                where l.tenant_id = grp.tenant_id and l.contract_id = grp.contract_id
            ),
            lines as (
                insert into app.contract_lines (tenant_id, id, contract_id, sequence, name, line_type)
                select l.tenant_id, m.new_id, clone, l.sequence, l.name, l.line_type
                from app.contract_lines as l join line_map as m on m.old_id = l.id
                where l.tenant_id = grp.tenant_id
                returning 1
            ),
            services as (
                insert into app.contract_line_services (tenant_id, contract_line_id, service_name, quantity)
                select s.tenant_id, m.new_id, s.service_name, s.quantity
                from app.contract_line_services as s join line_map as m on m.old_id = s.contract_line_id
                where s.tenant_id = grp.tenant_id
                returning 1
            ),
            rates as (
                insert into app.contract_line_rates (tenant_id, contract_line_id, amount, hourly_rate)
                select r.tenant_id, m.new_id, r.amount, r.hourly_rate
                from app.contract_line_rates as r join line_map as m on m.old_id = r.contract_line_id
                where r.tenant_id = grp.tenant_id
                returning 1
            ),
            schedules as (
                insert into app.contract_line_pricing_schedules (
                    tenant_id, contract_line_id, effective_from, effective_to, amount
                )
                select ps.tenant_id, m.new_id, ps.effective_from, ps.effective_to, ps.amount
                from app.contract_line_pricing_schedules as ps join line_map as m on m.old_id = ps.contract_line_id
                where ps.tenant_id = grp.tenant_id
                returning 1
            )
            select (select count(*) from lines) + (select count(*) from services) + (select count(*) from rates)
                + (select count(*) from schedules) into strict n_copied;
            update app.client_contracts as cc set contract_id = clone
            where cc.tenant_id = grp.tenant_id and cc.id = any(target.assignments);
            detail := detail || format('cloned %s for client %s; ', clone, target.client_id);
        end loop;
        outcome := 'split';
        return next;
    end loop;
    -- Every non-template contract with exactly one client now owns it (the split's clones already do).
    for grp in select t.id as tenant_id from app.tenants as t order by t.id loop
        perform set_config('pgpsa.tenant_id', grp.tenant_id::text, true);
        update app.contracts as c set owner_client_id = one.client_id
        from (
            select cc.contract_id, min(cc.client_id::text)::uuid as client_id from app.client_contracts as cc
            where cc.tenant_id = grp.tenant_id
            group by cc.contract_id having count(distinct cc.client_id) = 1
        ) as one
        where c.tenant_id = grp.tenant_id and c.id = one.contract_id and not c.is_template and c.owner_client_id is null;
    end loop;
    perform set_config('pgpsa.tenant_id', coalesce(caller_tenant, ''), true);
end;
$$;

select * from internal.split_shared_contracts();

-- From now on: a non-template contract has an owner, and an assignment's client is its contract's owner. NOT VALID,
-- so a group the split had to leave (blocked) stays as it was until it is resolved; every new or changed row is
-- checked. The runbook validates both once nothing is blocked (README).
alter table app.contracts add constraint check_contracts_owner check (
    is_template or owner_client_id is not null
) not valid;
comment on constraint check_contracts_owner on app.contracts is
'A contract that is not a template belongs to one client: give its owner client.';
alter table app.client_contracts add constraint fk_client_contracts_owner foreign key (
    tenant_id, contract_id, client_id
)
references app.contracts (tenant_id, id, owner_client_id) not valid;
comment on constraint fk_client_contracts_owner on app.client_contracts is
'A contract can be assigned only to the client that owns it; instantiate one for this client from a template.';
create index index_client_contracts_on_owner on app.client_contracts (tenant_id, contract_id, client_id);
