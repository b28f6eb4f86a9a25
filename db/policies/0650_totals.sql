-- The totals the database keeps (migration 0025): the bi door reads them (as the BI login's tenant, by the tenant
-- policy of 0100_tenant_tables.sql) and no door writes them. Their triggers (db/functions/0995_totals.sql, run as the
-- owner) write them under that same tenant policy, in the tenant of the rows being written (internal.enter_tenant
-- takes it for a DBA's own write at psql, which has no request tenant): no policy of their own, so a read pays
-- nothing per row beyond the tenant's.
grant select on app.task_totals, app.project_totals, app.user_week_hours, app.invoice_balances to pgpsa_door_bi;
