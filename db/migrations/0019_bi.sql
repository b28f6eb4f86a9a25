-- BI (issue K): a weekly capacity per person (utilization's denominator), the bi views whose columns change dropped
-- so db/views/bi_*.sql makes them again (contract_revenue by month and currency in money, a client contract's live
-- status in its vocabulary), and the indexes the bi views read through.
-- depends: 0017_shapes_sales

alter table app.users add column weekly_capacity_hours app.hours not null default 40;
alter table app.users add constraint check_users_weekly_capacity_hours check (weekly_capacity_hours <= 168);
comment on column app.users.weekly_capacity_hours is
'Hours a week the person is available for work: the capacity utilization is measured against (40 unless set).';
comment on constraint check_users_weekly_capacity_hours on app.users is
'A week has 168 hours: weekly capacity is 0 to 168 hours.';

drop view if exists bi.contract_revenue, bi.active_client_contracts;

-- Indexes the bi views read through, so a dashboard reads a tenant's index entries, not its heap rows: time with
-- what utilization, realization and profitability sum (the tasks' own index on task_id, now covering); hourly tasks
-- apart (the only ones time is billed on); delivered tasks not yet invoiced (unbilled WIP); invoice lines with their
-- totals by invoice (AR aging, DSO, drafts) and by task (realization).
drop index app.index_time_entries_on_task_id;
create index index_time_entries_on_task_id on app.time_entries (tenant_id, task_id)
include (user_id, work_date, hours, contract_line_id);
create index index_tasks_hourly on app.tasks (tenant_id, id) include (project_id, hourly_rate)
where billing_type = 'hourly';
create index index_tasks_unbilled on app.tasks (tenant_id, project_id)
where invoice_id is null and status in ('completed', 'approved', 'client_approved') and billing_type <> 'non_billable';
drop index app.index_invoice_lines_on_invoice_id;
create index index_invoice_lines_on_invoice_id on app.invoice_lines (tenant_id, invoice_id, sequence)
include (line_total, tax_amount);
drop index app.index_invoice_lines_on_task_id;
create index index_invoice_lines_on_task_id on app.invoice_lines (tenant_id, task_id)
include (invoice_id, source_type, line_total);
