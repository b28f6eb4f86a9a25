-- One window at a time: a client's assignments of one contract never overlap. Billing resolves through the active
-- assignment for the client (seed 001), so two windows over the same days would bill the same contract twice.
-- depends: 0008_contracts_client_owned

-- Fail closed on existing data, in words, before the constraint would fail with a bare exclusion error.
-- Tenant by tenant with the tenant set, so forced RLS stays on for the owner that runs it.
do $$
declare
    tenant uuid;
    overlapping integer := 0;
    caller_tenant text := current_setting('pgpsa.tenant_id', true);
begin
    for tenant in select t.id from app.tenants as t loop
        perform set_config('pgpsa.tenant_id', tenant::text, true);
        overlapping := overlapping + (
            select count(*)
            from app.client_contracts as a
            join app.client_contracts as b
                on
                    b.tenant_id = a.tenant_id and b.contract_id = a.contract_id and b.client_id = a.client_id
                    and b.id > a.id
                    and daterange(a.start_date, a.end_date, '[]') && daterange(b.start_date, b.end_date, '[]')
            where a.tenant_id = tenant
        );
    end loop;
    perform set_config('pgpsa.tenant_id', coalesce(caller_tenant, ''), true);
    if overlapping > 0 then
        raise exception using
            errcode = 'PT409',
            message = format('%s pairs of assignments of the same contract to the same client overlap.', overlapping),
            hint = 'End or unassign one of each pair (app.client_contracts), then run the migration again.';
    end if;
end
$$;

alter table app.client_contracts add constraint exclude_client_contracts_overlap exclude using gist (
    tenant_id with =, contract_id with =, client_id with =, daterange(start_date, end_date, '[]') with &&
);
comment on constraint exclude_client_contracts_overlap on app.client_contracts is
'This client already has the contract assigned for part of those dates.';
