-- Undo 0024: the top-level lists sort the tenant's rows again. (A rollback runs in the transaction that undoes the
-- migrations after it, so not concurrently: dropping an index holds its table only for the moment it takes.)
drop index if exists app.index_tasks_list_order;
drop index if exists app.index_projects_list_order;
drop index if exists app.index_invoices_list_order;
drop index if exists app.index_orders_list_order;
drop index if exists app.index_quotes_list_order;
drop index if exists app.index_leads_list_order;
drop index if exists app.index_payments_list_order;
