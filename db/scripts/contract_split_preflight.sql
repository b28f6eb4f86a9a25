-- The shared-contract split's preflight (README runbook "the shared-contract split", step 1), changing nothing.
-- Runs on a database at the shared shape (before 0008_contracts_client_owned) as well as after it, as a superuser
-- (it reads every tenant): psql "$DATABASE_URL" -f db/scripts/contract_split_preflight.sql
-- One row per assignment (or contract) the split or the final validation would trip over:
--   preserve / clone  a shared non-template contract's assignments: which keeps the original (the one with invoice
--                     history, else the earliest start), which gets a clone, and what blocks a clone (contract-scoped
--                     documents, or invoices, billed periods or time of the clone-target client);
--   template          an assignment of a template contract: a template has no owner, so validating
--                     fk_client_contracts_owner would fail on it;
--   not_owner         (after the split) an assignment whose client is not its contract's owner;
--   unowned           a non-template contract that has, or will have, no owner (check_contracts_owner).
-- No rows: the split leaves nothing behind and both constraints validate. A script, not a function in a migration:
-- it must run before 0008 exists, and an applied migration never changes (see README "Migrations").

do $$
begin
    if not (select r.rolsuper from pg_roles as r where r.rolname = current_user) then
        raise exception 'run the preflight as a superuser: it reads every tenant past row-level security';
    end if;
end
$$;

with
split as (
    select exists(
        select from pg_attribute as a
        where a.attrelid = 'app.contracts'::regclass and a.attname = 'owner_client_id' and not a.attisdropped
    ) as done
),

contracts as (
    select
        c.tenant_id,
        c.id,
        c.name,
        c.is_template,
        (to_jsonb(c) ->> 'owner_client_id')::uuid as owner_client_id
    from app.contracts as c
),

assignments as (
    select
        cc.tenant_id,
        cc.contract_id,
        c.name,
        cc.id,
        cc.client_id,
        cc.start_date,
        cc.created_at,
        c.is_template,
        c.owner_client_id,
        exists(
            select from app.invoices as i where i.tenant_id = cc.tenant_id and i.client_contract_id = cc.id
        ) as invoiced
    from app.client_contracts as cc
    inner join contracts as c on cc.tenant_id = c.tenant_id and cc.contract_id = c.id
),

shared as (
    select
        a.tenant_id,
        a.contract_id
    from assignments as a
    where not a.is_template
    group by a.tenant_id, a.contract_id
    having count(distinct a.client_id) > 1
),

grouped as (
    select a.*
    from assignments as a
    inner join shared as s on a.tenant_id = s.tenant_id and a.contract_id = s.contract_id
),

keeper as (
    -- Exactly one invoiced assignment keeps the original; otherwise the earliest start (then creation, id).
    select distinct on (a.tenant_id, a.contract_id)
        a.tenant_id,
        a.contract_id,
        a.client_id
    from grouped as a
    order by
        a.tenant_id asc,
        a.contract_id asc,
        (
            a.invoiced
            and (
                select count(*) from grouped as b
                where b.tenant_id = a.tenant_id and b.contract_id = a.contract_id and b.invoiced
            ) = 1
        ) desc,
        a.start_date asc, a.created_at asc, a.id asc
),

findings as (
    select
        a.tenant_id,
        a.contract_id,
        a.name as contract_name,
        a.id as client_contract_id,
        a.client_id,
        a.start_date,
        a.invoiced as has_invoices,
        case when a.client_id = k.client_id then 'preserve' else 'clone' end as role,
        case when a.client_id <> k.client_id then nullif(concat_ws(
            '; ',
            case when exists (
                select
                from app.contract_documents as d
                where d.tenant_id = a.tenant_id and d.contract_id = a.contract_id
            ) then 'the contract has contract-scoped documents' end,
            case when a.invoiced then 'this assignment has invoices' end,
            case when exists (
                select
                from app.contract_billings as cb
                where cb.tenant_id = a.tenant_id and cb.client_contract_id = a.id
            ) then 'this assignment has billed periods' end,
            case when exists (
                select from app.time_entries as e
                inner join app.contract_lines as l on e.tenant_id = l.tenant_id and e.contract_line_id = l.id
                inner join app.tasks as t on e.tenant_id = t.tenant_id and e.task_id = t.id
                inner join app.projects as p on t.tenant_id = p.tenant_id and t.project_id = p.id
                where e.tenant_id = a.tenant_id and l.contract_id = a.contract_id and p.client_id = a.client_id
            ) then 'this client has time logged on the contract''s lines' end
        ), '') end as blockers
    from grouped as a
    inner join keeper as k on a.tenant_id = k.tenant_id and a.contract_id = k.contract_id

    union all

    select
        a.tenant_id,
        a.contract_id,
        a.name,
        a.id,
        a.client_id,
        a.start_date,
        a.invoiced,
        'template' as role,
        'a template contract is assigned to this client: a template has no owner, so the assignment cannot be '
        || 'validated; assign the client a contract of its own (a copy of the template), or end this '
        || 'assignment' as blockers
    from assignments as a
    where a.is_template

    union all

    select
        a.tenant_id,
        a.contract_id,
        a.name,
        a.id,
        a.client_id,
        a.start_date,
        a.invoiced,
        'not_owner' as role,
        'this client does not own the contract: assign it a contract of its own, or end this assignment' as blockers
    from assignments as a
    where
        not a.is_template and a.owner_client_id is not null and a.owner_client_id <> a.client_id
        and not exists (select from shared as s where s.tenant_id = a.tenant_id and s.contract_id = a.contract_id)

    union all

    select
        c.tenant_id,
        c.id,
        c.name,
        null as client_contract_id,
        null as client_id,
        null as start_date,
        false as has_invoices,
        'unowned' as role,
        case
            when exists (select from assignments as a where a.tenant_id = c.tenant_id and a.contract_id = c.id)
                then 'the contract has one client but no owner yet: run select * from internal.split_shared_contracts()'
            else
                'nobody is assigned the contract, so the split gives it no owner: set its owner_client_id, or delete it'
        end as blockers
    from contracts as c
    cross join split
    where
        not c.is_template and c.owner_client_id is null
        and not exists (select from shared as s where s.tenant_id = c.tenant_id and s.contract_id = c.id)
        and (
            split.done
            or not exists (select from assignments as a where a.tenant_id = c.tenant_id and a.contract_id = c.id)
        )
)

select * from findings
order by tenant_id asc, contract_id asc, role desc, start_date asc, client_contract_id asc;
