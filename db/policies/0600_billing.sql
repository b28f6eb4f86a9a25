-- Who may see and change billing: invoices:read / invoices:write, payments:read / payments:write.

do $$
declare
    t record;
begin
    for t in select * from (values
        ('invoices', 'invoices:read', 'invoices:write'),
        ('invoice_lines', 'invoices:read', 'invoices:write'),
        ('stripe_checkouts', 'invoices:read', 'invoices:write'),
        ('stripe_events', 'invoices:read', 'invoices:write'),
        ('payments', 'payments:read', 'payments:write'),
        ('payment_applications', 'payments:read', 'payments:write')
    ) as v (table_name, read_permission, write_permission)
    loop
        execute format('drop policy if exists %1$s_read on app.%1$I', t.table_name);
        execute format(
            'create policy %1$s_read on app.%1$I as restrictive for select to pgpsa_staff '
            'using (internal.has_permission(%2$L))', t.table_name, t.read_permission
        );
        execute format('drop policy if exists %1$s_write on app.%1$I', t.table_name);
        execute format(
            'create policy %1$s_write on app.%1$I as restrictive for insert to pgpsa_staff '
            'with check (internal.has_permission(%2$L))', t.table_name, t.write_permission
        );
        execute format('drop policy if exists %1$s_update on app.%1$I', t.table_name);
        execute format(
            'create policy %1$s_update on app.%1$I as restrictive for update to pgpsa_staff '
            'using (internal.has_permission(%2$L))', t.table_name, t.write_permission
        );
        execute format('drop policy if exists %1$s_delete on app.%1$I', t.table_name);
        execute format(
            'create policy %1$s_delete on app.%1$I as restrictive for delete to pgpsa_staff '
            'using (internal.has_permission(%2$L))', t.table_name, t.write_permission
        );
    end loop;
end
$$;

-- Status, numbers and amounts move only through the api functions and triggers; staff write what a person types.
grant select, delete,
insert (tenant_id, client_id, order_id, project_id, kind, issue_date, due_date, currency, notes, created_by),
update (issue_date, due_date, notes)
on app.invoices to pgpsa_staff;
grant select, delete,
insert (tenant_id, invoice_id, sequence, description, quantity, unit_price, tax_rate, source_type, order_item_id),
update (sequence, description, quantity, unit_price, tax_rate)
on app.invoice_lines to pgpsa_staff;
grant select,
insert (tenant_id, payment_number, client_id, method, reference, amount, currency, received_at, created_by)
on app.payments to pgpsa_staff;
grant select, delete, insert (tenant_id, payment_id, invoice_id, amount, applied_by) on app.payment_applications
to pgpsa_staff;
grant select, insert (tenant_id, invoice_id, attempt, idempotency_key, amount_due), update (stripe_session_id, url)
on app.stripe_checkouts to pgpsa_staff;
grant select on app.stripe_events to pgpsa_staff;
grant select (tenant_id, id, invoice_number, client_id, kind, status, issue_date, due_date, currency)
on app.invoices to pgpsa_bi;
grant select (tenant_id, invoice_id, line_total, tax_amount) on app.invoice_lines to pgpsa_bi;
grant select (tenant_id, invoice_id, amount) on app.payment_applications to pgpsa_bi;
