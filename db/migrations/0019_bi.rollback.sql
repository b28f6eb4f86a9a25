-- Undo 0019: the bi views this release added or changed go (the previous release's db/views/bi_*.sql makes its own
-- again), with the reporting calendar and the billable-work view they read, the indexes and the weekly capacity.
drop view if exists
bi.lead_conversion, bi.quote_pipeline, bi.deposits_outstanding, bi.on_time_delivery, bi.revisions_by_stage,
bi.project_health, bi.profitability, bi.ar_aging, bi.days_sales_outstanding, bi.unbilled_wip, bi.utilization,
bi.realization, bi.contract_revenue, bi.active_client_contracts, bi.contract_expirations;
drop view if exists internal.unbilled_tasks;
drop function if exists
internal.report_date(timestamptz), internal.report_today(), internal.report_month(date), internal.report_week(date);
comment on schema bi is null;
drop index if exists app.index_tasks_hourly, app.index_tasks_unbilled;
drop index if exists app.index_time_entries_on_task_id;
create index index_time_entries_on_task_id on app.time_entries (tenant_id, task_id);
drop index if exists app.index_invoice_lines_on_invoice_id;
create index index_invoice_lines_on_invoice_id on app.invoice_lines (tenant_id, invoice_id, sequence);
drop index if exists app.index_invoice_lines_on_task_id;
create index index_invoice_lines_on_task_id on app.invoice_lines (tenant_id, task_id);
alter table app.users drop column if exists weekly_capacity_hours;
