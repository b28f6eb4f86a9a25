-- Undo 0006: billing tables and the deposit gate.
alter table app.stages drop column if exists requires_deposit;
alter table app.template_stages drop column if exists requires_deposit;
alter table app.tasks drop constraint if exists fk_tasks_invoice_id_invoices;
drop table if exists app.stripe_events, app.stripe_checkouts, app.payment_applications, app.payments,
app.invoice_lines, app.invoices cascade;
drop function if exists internal.line_tax(numeric, numeric, numeric, numeric),
internal.line_net(numeric, numeric, numeric), internal.line_discount(numeric, numeric, numeric),
internal.line_gross(numeric, numeric);
