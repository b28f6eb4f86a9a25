-- Undo 0007: the contracts tables and the billing references to them.
alter table app.time_entries drop column if exists contract_line_id;
alter table app.invoice_lines drop constraint if exists fk_invoice_lines_contract_line_id_contract_lines;
alter table app.invoice_lines drop column if exists client_contract_id;
alter table app.invoices drop column if exists client_contract_id;
drop table if exists app.contract_billings, app.contract_documents, app.client_contracts,
app.contract_line_pricing_schedules, app.contract_line_rates, app.contract_line_services, app.contract_lines,
app.contracts, app.contract_template_lines, app.contract_templates cascade;
