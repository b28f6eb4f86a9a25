-- Contracts as the team API shows them: templates and contracts with their lines (JSON built from the types their
-- @shape tags name, so the keys cannot drift), and client contracts assignment-first with the live status derived
-- from the assignment.

create or replace view api.contract_templates as
select
    t.id,
    t.name,
    t.description,
    t.billing_frequency,
    t.currency::text as currency,
    t.created_at,
    coalesce((
        select
            jsonb_agg(
                to_jsonb(row(l.id, l.sequence, l.name, l.line_type, l.amount, l.hourly_rate)::api.template_line)
                order by l.sequence
            )
        from app.contract_template_lines as l where l.tenant_id = t.tenant_id and l.template_id = t.id
    ), '[]') as lines,
    t.tenant_id
from app.contract_templates as t;

create or replace view api.contracts as
select
    c.id,
    c.name,
    c.description,
    c.owner_client_id,
    c.is_template,
    c.template_id,
    c.status,
    c.billing_frequency,
    c.currency::text as currency,
    c.created_at,
    c.updated_at,
    coalesce((
        select
            jsonb_agg(to_jsonb(row(
                l.id, l.sequence, l.name, l.line_type, r.amount, r.hourly_rate,
                coalesce((
                    select jsonb_agg(to_jsonb(row(s.service_name, s.quantity)::api.line_service))
                    from app.contract_line_services as s where s.tenant_id = l.tenant_id and s.contract_line_id = l.id
                ), '[]')
            )::api.contract_line) order by l.sequence)
        from app.contract_lines as l
        left join app.contract_line_rates as r on l.tenant_id = r.tenant_id and l.id = r.contract_line_id
        where l.tenant_id = c.tenant_id and l.contract_id = c.id
    ), '[]') as lines,
    c.tenant_id
from app.contracts as c;

create or replace view api.client_contracts as
select
    cc.id,
    cc.client_id,
    cc.contract_id,
    c.name as contract_name,
    c.billing_frequency,
    cc.start_date,
    cc.end_date,
    cc.is_active,
    cc.renewal_state,
    cc.po_number,
    cc.terminated_at,
    internal.assignment_status(
        cc.is_active, cc.terminated_at, cc.start_date, cc.end_date, cc.renewal_state, current_date
    )::app.assignment_status
        as status,
    cc.created_at,
    cc.updated_at,
    cc.tenant_id
from app.client_contracts as cc
inner join app.contracts as c on cc.tenant_id = c.tenant_id and cc.contract_id = c.id;

comment on column api.contract_templates.lines is 'The template''s lines. @shape api.template_line[]';
comment on column api.contracts.lines is 'The contract''s lines with their services. @shape api.contract_line[]';
comment on column api.client_contracts.status is
'The live status, derived from the assignment''s dates, activity and renewal.';

-- tenant_id: the key the service names in its reads (README, "Reads name their tenant"); never a field.
comment on column api.contract_templates.tenant_id is '@internal';
comment on column api.contracts.tenant_id is '@internal';
comment on column api.client_contracts.tenant_id is '@internal';
