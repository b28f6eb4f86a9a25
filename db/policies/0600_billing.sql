-- Grants on billing for the api door: invoices:* and payments:* (the permission policies come from
-- 0110_permissions.sql).

-- Status, numbers and amounts move only through the api functions and triggers; staff write what a person types.
grant select, delete,
insert (tenant_id, client_id, order_id, project_id, kind, issue_date, due_date, currency, notes, created_by),
update (issue_date, due_date, notes)
on app.invoices to pgpsa_door_api;
grant select, delete,
insert (tenant_id, invoice_id, sequence, description, quantity, unit_price, tax_rate, source_type, order_item_id),
update (sequence, description, quantity, unit_price, tax_rate)
on app.invoice_lines to pgpsa_door_api;
grant select,
insert (tenant_id, payment_number, client_id, method, reference, amount, currency, received_at, created_by)
on app.payments to pgpsa_door_api;
grant select, delete, insert (tenant_id, payment_id, invoice_id, amount, applied_by) on app.payment_applications
to pgpsa_door_api;
grant select, insert (tenant_id, invoice_id, attempt, idempotency_key, amount_due), update (stripe_session_id, url)
on app.stripe_checkouts to pgpsa_door_api;
grant select on app.stripe_events to pgpsa_door_api;
-- What the bi views read of billing (AR aging, DSO, realization, unbilled WIP).
grant select (
    tenant_id, id, invoice_number, client_id, project_id, kind, status, issue_date, due_date, currency, sent_at,
    voided_at
)
on app.invoices to pgpsa_door_bi;
grant select (tenant_id, invoice_id, line_total, tax_amount, source_type, task_id)
on app.invoice_lines to pgpsa_door_bi;
grant select (tenant_id, invoice_id, amount, applied_at) on app.payment_applications to pgpsa_door_bi;
