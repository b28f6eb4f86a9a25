-- The totals the database keeps (migration 0025): the bi door reads them (as the BI login's tenant, by the tenant
-- policy of 0100_tenant_tables.sql), no door writes them, and their triggers (db/functions/0995_totals.sql, run as
-- the owner) write them in the tenant of the rows being written, which RLS already checked for the writer: a DBA's
-- own write at psql has no request tenant, and its totals must follow all the same.
grant select on app.task_totals, app.user_week_hours, app.invoice_balances to pgpsa_door_bi;

create policy totals_by_trigger on app.task_totals as permissive for all to pgpsa_owner
using (pg_trigger_depth() > 0) with check (pg_trigger_depth() > 0);
create policy totals_by_trigger on app.user_week_hours as permissive for all to pgpsa_owner
using (pg_trigger_depth() > 0) with check (pg_trigger_depth() > 0);
create policy totals_by_trigger on app.invoice_balances as permissive for all to pgpsa_owner
using (pg_trigger_depth() > 0) with check (pg_trigger_depth() > 0);
