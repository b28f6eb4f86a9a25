-- Who may see and change billing: invoices:read / invoices:write, payments:read / payments:write.

select internal.permission_policies(v.table_name, v.read_permissions, v.write_permissions)
from (
    values
    ('invoices', array['invoices:read'], array['invoices:write']),
    ('invoice_lines', array['invoices:read'], array['invoices:write']),
    ('stripe_checkouts', array['invoices:read'], array['invoices:write']),
    ('stripe_events', array['invoices:read'], array['invoices:write']),
    ('payments', array['payments:read'], array['payments:write']),
    ('payment_applications', array['payments:read'], array['payments:write'])
) as v (table_name, read_permissions, write_permissions);

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
