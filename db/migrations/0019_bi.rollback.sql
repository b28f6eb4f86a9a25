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
alter table app.users drop column if exists weekly_capacity_hours;
