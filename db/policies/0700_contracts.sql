-- Who may see and change contracts: contracts:read / contracts:write on every contract table; billing them needs
-- invoices:write (api.bill_client_contracts). Client contacts see their contracts' documents through
-- portal.contract_documents(), which checks ownership.

do $$
declare
    t text;
begin
    foreach t in array array[
        'contract_templates', 'contract_template_lines', 'contracts', 'contract_lines', 'contract_line_services',
        'contract_line_rates', 'contract_line_pricing_schedules', 'client_contracts', 'contract_documents',
        'contract_billings'
    ] loop
        execute format('drop policy if exists %1$s_read on app.%1$I', t);
        execute format(
            'create policy %1$s_read on app.%1$I as restrictive for select to pgpsa_staff '
            'using (internal.has_permission(''contracts:read'') or internal.has_permission(''invoices:read''))', t
        );
        execute format('drop policy if exists %1$s_write on app.%1$I', t);
        execute format(
            'create policy %1$s_write on app.%1$I as restrictive for insert to pgpsa_staff '
            'with check (internal.has_permission(''contracts:write''))', t
        );
        execute format('drop policy if exists %1$s_update on app.%1$I', t);
        execute format(
            'create policy %1$s_update on app.%1$I as restrictive for update to pgpsa_staff '
            'using (internal.has_permission(''contracts:write''))', t
        );
        execute format('drop policy if exists %1$s_delete on app.%1$I', t);
        execute format(
            'create policy %1$s_delete on app.%1$I as restrictive for delete to pgpsa_staff '
            'using (internal.has_permission(''contracts:write''))', t
        );
        execute format('grant select, insert, update, delete on app.%I to pgpsa_staff', t);
    end loop;
end
$$;

-- Ownership and status are not edited by hand: the split, the api functions and the guard set them.
revoke update on app.contracts from pgpsa_staff;
grant update (name, description, status, billing_frequency, currency) on app.contracts to pgpsa_staff;
revoke update on app.contract_billings from pgpsa_staff;
revoke insert, update, delete on app.contract_billings from pgpsa_staff;

grant select (tenant_id, id, client_id, contract_id, start_date, end_date, is_active, renewal_state, terminated_at)
on app.client_contracts to pgpsa_bi;
grant select (tenant_id, id, name) on app.contracts to pgpsa_bi;
grant select (tenant_id, id, name) on app.clients to pgpsa_bi;
grant select (tenant_id, id, invoice_id, line_total, client_contract_id) on app.invoice_lines to pgpsa_bi;
grant select (tenant_id, id, status, issue_date) on app.invoices to pgpsa_bi;
