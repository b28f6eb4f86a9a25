-- BI (issue K): a weekly capacity per person (utilization's denominator), the bi views whose columns change dropped
-- so db/views/bi_*.sql makes them again (contract_revenue by month and currency in money, a client contract's live
-- status in its vocabulary), and the indexes the bi views and their policies read through.
-- depends: 0017_shapes_sales

alter table app.users add column weekly_capacity_hours app.hours not null default 40;
alter table app.users add constraint check_users_weekly_capacity_hours check (weekly_capacity_hours <= 168);
comment on column app.users.weekly_capacity_hours is
'Hours a week the person is available for work: the capacity utilization is measured against (40 unless set).';
comment on constraint check_users_weekly_capacity_hours on app.users is
'A week has 168 hours: weekly capacity is 0 to 168 hours.';

drop view if exists bi.contract_revenue, bi.active_client_contracts;
