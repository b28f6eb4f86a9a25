-- A list's first page costs what it returns (issue O): each big top-level list gets an index in the route's own
-- order (service/api/routes.py), so a page is the index's next 25 entries instead of a sort of the whole tenant
-- (GET /tasks in a tenant of 500,000 tasks: 1,180 ms before, 2 ms after; make bench-views prints the first pages).
-- Built concurrently, so writers to these tables are not held up while a big table is indexed. Outside a
-- transaction a failure can stop half-way, and a failed concurrent build leaves an invalid index behind: each index
-- is dropped first, so running the file again after a failure builds every index whole.
-- transactional: false
-- depends: 0023_portal

drop index concurrently if exists app.index_tasks_list_order;
create index concurrently index_tasks_list_order
on app.tasks (tenant_id, due_date nulls last, project_id, sequence, id);
comment on index app.index_tasks_list_order is 'GET /tasks in its order: due date (none last), project, sequence.';

drop index concurrently if exists app.index_projects_list_order;
create index concurrently index_projects_list_order
on app.projects (tenant_id, due_date nulls last, project_code, id);
comment on index app.index_projects_list_order is 'GET /projects in its order: due date (none last), code.';

drop index concurrently if exists app.index_invoices_list_order;
create index concurrently index_invoices_list_order on app.invoices (tenant_id, created_at desc, id);
comment on index app.index_invoices_list_order is 'GET /invoices in its order: newest first.';

drop index concurrently if exists app.index_orders_list_order;
create index concurrently index_orders_list_order on app.orders (tenant_id, created_at desc, id);
comment on index app.index_orders_list_order is 'GET /orders in its order: newest first.';

drop index concurrently if exists app.index_quotes_list_order;
create index concurrently index_quotes_list_order on app.quotes (tenant_id, created_at desc, id);
comment on index app.index_quotes_list_order is 'GET /quotes in its order: newest first.';

drop index concurrently if exists app.index_leads_list_order;
create index concurrently index_leads_list_order on app.leads (tenant_id, created_at desc, id);
comment on index app.index_leads_list_order is 'GET /leads in its order: newest first.';

drop index concurrently if exists app.index_payments_list_order;
create index concurrently index_payments_list_order on app.payments (tenant_id, received_at desc, id);
comment on index app.index_payments_list_order is 'GET /payments in its order: latest received first.';
