-- Shapes stated once, as domains: every text column has its length limit (or its vocabulary) in its type, so the
-- rule holds for every writer and the API derives maxLength and enums from the catalog; money, percentages and
-- measures are domains too. One priority vocabulary for tasks and orders (an order's old "rush" is "urgent").
-- depends: 0013_currencies

-- Bounded text.
create domain app.label as text constraint check_label check (char_length(value) <= 200);
create domain app.code as text constraint check_code check (char_length(value) <= 64);
create domain app.reference as text constraint check_reference check (char_length(value) <= 255);
create domain app.note as text constraint check_note check (char_length(value) <= 10000);
create domain app.phone as text constraint check_phone check (char_length(value) <= 40);
create domain app.file_name as text constraint check_file_name check (char_length(value) <= 255);
create domain app.content_type as text constraint check_content_type check (char_length(value) <= 255);
create domain app.storage_key as text constraint check_storage_key check (char_length(value) <= 1024);
create domain app.url as text constraint check_url check (char_length(value) <= 2048);
create domain app.email_address as extensions.citext
constraint check_email_address check (char_length(value) <= 254 and value ~ '^[^@\s]+@[^@\s]+$');
create domain app.sha256_hex as text constraint check_sha256_hex check (value ~ '^[0-9a-f]{64}$');
create domain app.project_type as text constraint check_project_type check (value ~ '^[a-z0-9_]{1,64}$');
create domain app.event_type as text constraint check_event_type check (value ~ '^[a-z_]{1,50}\.[a-z_]{1,50}$');

comment on domain app.label is 'A name or title: up to 200 characters.';
comment on domain app.code is 'A short code or number: up to 64 characters.';
comment on domain app.reference is
'A reference from elsewhere (a PO number, a payment reference): up to 255 characters.';
comment on domain app.note is 'Free text: up to 10,000 characters.';
comment on domain app.phone is 'A phone number as people write it: up to 40 characters.';
comment on domain app.email_address is 'An email address: one @, no spaces, up to 254 characters.';
comment on domain app.project_type is 'A project type: lowercase letters, digits and underscores (for example banner).';
comment on constraint check_label on domain app.label is 'A name or title is at most 200 characters.';
comment on constraint check_code on domain app.code is 'A code is at most 64 characters.';
comment on constraint check_reference on domain app.reference is 'A reference is at most 255 characters.';
comment on constraint check_note on domain app.note is 'A text is at most 10,000 characters.';
comment on constraint check_phone on domain app.phone is 'A phone number is at most 40 characters.';
comment on constraint check_file_name on domain app.file_name is 'A file name is at most 255 characters.';
comment on constraint check_content_type on domain app.content_type is 'A content type is at most 255 characters.';
comment on constraint check_storage_key on domain app.storage_key is 'A storage key is at most 1,024 characters.';
comment on constraint check_url on domain app.url is 'A URL is at most 2,048 characters.';
comment on constraint check_email_address on domain app.email_address is
'An email address needs one @ and no spaces, and is at most 254 characters.';
comment on constraint check_sha256_hex on domain app.sha256_hex is 'A checksum is 64 lowercase hex digits (SHA-256).';
comment on constraint check_project_type on domain app.project_type is
'A project type is lowercase letters, digits and underscores (for example banner).';
comment on constraint check_event_type on domain app.event_type is
'An event type is area.what (for example invoice.sent).';

-- Numbers: money is exact and leaves the API as a decimal string; a percentage is 0 to 100; measures are numbers.
create domain app.money as numeric(12, 2);
create domain app.percent as numeric(5, 2) constraint check_percent check (value between 0 and 100);
create domain app.hours as numeric(8, 2) constraint check_hours check (value >= 0);
create domain app.quantity as numeric(12, 3);
comment on domain app.money is 'An amount of money in the document''s currency, exact to the cent (a decimal string).';
comment on domain app.percent is 'A percentage from 0 to 100.';
comment on domain app.hours is 'A number of hours.';
comment on constraint check_percent on domain app.percent is 'A percentage is from 0 to 100.';
comment on constraint check_hours on domain app.hours is 'Hours are zero or more.';

-- Vocabularies: the one place each list of words is stated.
-- A vocabulary is a text domain holding one list of words, whose refusal lists them (0016 and 0017 make more).
create function internal.create_vocabulary(p_name text, p_words text[], p_what text) returns void
language plpgsql volatile set search_path = ''
as $$
begin
    execute format('create domain app.%I as text constraint check_%s check (value = any (%L::text []))',
        p_name, p_name, p_words);
    execute format('comment on constraint check_%s on domain app.%I is %L', p_name, p_name,
        format('%s is one of: %s.', p_what, array_to_string(p_words, ', ')));
end;
$$;

select internal.create_vocabulary(x.domain_name, x.words::text[], x.what) from (
    values
    ('approval_status', '{pending,approved,revision_requested,expired}', 'An approval status'),
    ('renewal_state', '{none,pending_renewal,renewed,declined}', 'A renewal state'),
    ('contract_line_type', '{fixed,hourly}', 'A contract line type'),
    ('billing_frequency', '{monthly,quarterly,annually}', 'A billing frequency'),
    ('contract_status', '{draft,published,archived}', 'A contract status'),
    ('file_state', '{pending,available,quarantined,deleted}', 'A file state'),
    ('file_visibility', '{internal,customer}', 'A file visibility'),
    ('location_type', '{warehouse,shop_floor,van,supplier}', 'A location type'),
    ('invoice_line_source', '{order_item,task,contract_line,manual}', 'An invoice line source'),
    ('invoice_kind', '{deposit,final,progress,contract,manual}', 'An invoice kind'),
    ('invoice_status', '{draft,sent,partial,paid,void}', 'An invoice status'),
    ('staff_role', '{sales,designer,production,qc,finance,manager,admin}', 'A staff role'),
    ('user_role', '{sales,designer,production,qc,finance,manager,admin,app}', 'A user role'),
    ('lead_status', '{new,contacted,qualified,proposal,closed_won,closed_lost}', 'A lead status'),
    ('fulfillment_type', '{production,stock,service,shipping}', 'A fulfillment type'),
    ('priority', '{low,normal,high,urgent}', 'A priority'),
    ('order_status', '{pending,in_production,on_hold,ready,completed,cancelled}', 'An order status'),
    ('payment_method', '{cash,check,card,ach,wire,stripe,other}', 'A payment method'),
    ('payment_status', '{received,void}', 'A payment status'),
    ('product_type', '{product,material,service}', 'A product type'),
    ('project_status', '{planning,active,on_hold,completed,cancelled}', 'A project status'),
    ('quote_status', '{draft,sent,accepted,rejected,expired}', 'A quote status'),
    ('stage_status', '{pending,active,revision,overdue,completed}', 'A stage status'),
    ('movement_type', '{consume,receive,adjust,transfer}', 'A stock movement type'),
    ('stripe_outcome', '{applied,already_paid,ignored}', 'A Stripe event outcome'),
    ('task_kind', '{task,document,approval}', 'A task kind'),
    (
        'task_status',
        '{todo,in_progress,blocked,in_review,completed,approved,client_approved,cancelled}',
        'A task status'
    ),
    ('billing_type', '{non_billable,fixed,milestone,hourly}', 'A billing type')
) as x (domain_name, words, what);

-- One priority vocabulary: orders said "rush" where tasks say "urgent" (tenant by tenant: RLS stays on).
alter table app.orders drop constraint check_orders_priority;
do $$
declare
    tenant uuid;
begin
    for tenant in select t.id from app.tenants as t loop
        perform set_config('pgpsa.tenant_id', tenant::text, true);
        update app.orders set priority = 'urgent' where tenant_id = tenant and priority = 'rush';
    end loop;
    perform set_config('pgpsa.tenant_id', '', true);
end
$$;

-- Every text column gets its domain; a single-column check that the domain now states goes.
create temporary table retype (table_name text, column_name text, domain_name text, old_check text) on commit drop;
insert into retype values
('approval_revisions', 'comment', 'note', null),
('approvals', 'approver_email', 'email_address', null),
('approvals', 'decision_comment', 'note', null),
('approvals', 'status', 'approval_status', 'check_approvals_status'),
('approvals', 'token_hash', 'sha256_hex', 'check_approvals_token_hash'),
('client_contracts', 'po_number', 'reference', null),
('client_contracts', 'renewal_state', 'renewal_state', 'check_client_contracts_renewal_state'),
('clients', 'email', 'email_address', 'check_clients_email'),
('comments', 'body', 'note', null),
('contacts', 'email', 'email_address', 'check_contacts_email'),
('contract_line_services', 'service_name', 'label', null),
('contract_lines', 'line_type', 'contract_line_type', 'check_contract_lines_type'),
('contract_lines', 'name', 'label', null),
('contract_status_transitions', 'from_status', 'contract_status', null),
('contract_status_transitions', 'to_status', 'contract_status', null),
('contract_template_lines', 'line_type', 'contract_line_type', null),
('contract_template_lines', 'name', 'label', null),
('contract_templates', 'billing_frequency', 'billing_frequency', 'check_contract_templates_billing_frequency'),
('contract_templates', 'description', 'note', null),
('contract_templates', 'name', 'label', null),
('contracts', 'billing_frequency', 'billing_frequency', 'check_contracts_billing_frequency'),
('contracts', 'description', 'note', null),
('contracts', 'status', 'contract_status', 'check_contracts_status'),
('currencies', 'name', 'label', null),
('document_counters', 'kind', 'code', null),
('document_kinds', 'kind', 'code', null),
('document_kinds', 'prefix', 'code', null),
('domain_events', 'aggregate_type', 'code', null),
('domain_events', 'event_type', 'event_type', 'check_domain_events_event_type'),
('domain_events', 'last_error', 'note', null),
('files', 'checksum_sha256', 'sha256_hex', 'check_files_checksum'),
('files', 'content_type', 'content_type', null),
('files', 'file_name', 'file_name', null),
('files', 'state', 'file_state', 'check_files_state'),
('files', 'storage_key', 'storage_key', null),
('files', 'visibility', 'file_visibility', 'check_files_visibility'),
('inventory_locations', 'location_type', 'location_type', 'check_inventory_locations_type'),
('inventory_locations', 'name', 'label', null),
('invoice_lines', 'description', 'note', null),
('invoice_lines', 'source_type', 'invoice_line_source', null),
('invoices', 'invoice_number', 'code', null),
('invoices', 'kind', 'invoice_kind', 'check_invoices_kind'),
('invoices', 'notes', 'note', null),
('invoices', 'status', 'invoice_status', 'check_invoices_status'),
('invoices', 'void_reason', 'note', null),
('job_ticket_scans', 'station', 'code', null),
('job_tickets', 'last_station', 'code', null),
('job_tickets', 'qr_payload', 'reference', null),
('job_tickets', 'ticket_code', 'code', null),
('labor_rates', 'role', 'staff_role', 'check_labor_rates_role'),
('leads', 'contact_name', 'label', null),
('leads', 'email', 'email_address', null),
('leads', 'name', 'label', null),
('leads', 'notes', 'note', null),
('leads', 'phone', 'phone', null),
('leads', 'source', 'label', null),
('leads', 'status', 'lead_status', 'check_leads_status'),
('order_items', 'description', 'note', null),
('order_items', 'fulfillment_type', 'fulfillment_type', 'check_order_items_fulfillment'),
('order_items', 'production_notes', 'note', null),
('order_status_transitions', 'from_status', 'order_status', null),
('order_status_transitions', 'to_status', 'order_status', null),
('orders', 'notes', 'note', null),
('orders', 'order_number', 'code', null),
('orders', 'po_number', 'reference', null),
('orders', 'priority', 'priority', null),
('orders', 'project_type', 'project_type', 'check_orders_project_type'),
('orders', 'status', 'order_status', 'check_orders_status'),
('payments', 'method', 'payment_method', 'check_payments_method'),
('payments', 'payment_number', 'code', null),
('payments', 'reference', 'reference', null),
('payments', 'status', 'payment_status', 'check_payments_status'),
('permissions', 'description', 'label', null),
('permissions', 'name', 'code', null),
('products', 'description', 'note', null),
('products', 'name', 'label', null),
('products', 'product_type', 'product_type', 'check_products_type'),
('products', 'uom', 'code', null),
('projects', 'name', 'label', null),
('projects', 'project_code', 'code', null),
('projects', 'project_type', 'project_type', null),
('projects', 'share_token_hash', 'sha256_hex', null),
('projects', 'status', 'project_status', 'check_projects_status'),
('quote_items', 'description', 'note', null),
('quote_items', 'fulfillment_type', 'fulfillment_type', 'check_quote_items_fulfillment'),
('quotes', 'notes', 'note', null),
('quotes', 'project_type', 'project_type', 'check_quotes_project_type'),
('quotes', 'quote_number', 'code', null),
('quotes', 'rejection_reason', 'note', null),
('quotes', 'status', 'quote_status', 'check_quotes_status'),
('quotes', 'title', 'label', null),
('role_permissions', 'permission', 'code', null),
('role_permissions', 'role', 'staff_role', 'check_role_permissions_role'),
('stages', 'name', 'label', null),
('stages', 'stage_code', 'code', null),
('stages', 'status', 'stage_status', 'check_stages_status'),
('stock_movements', 'movement_type', 'movement_type', 'check_stock_movements_type'),
('stock_movements', 'note', 'note', null),
('stock_movements', 'reference', 'reference', null),
('stripe_checkouts', 'idempotency_key', 'reference', null),
('stripe_checkouts', 'stripe_session_id', 'reference', null),
('stripe_checkouts', 'url', 'url', null),
('stripe_events', 'event_id', 'reference', null),
('stripe_events', 'event_type', 'code', null),
('stripe_events', 'outcome', 'stripe_outcome', 'check_stripe_events_outcome'),
('task_activity_logs', 'action', 'code', null),
('task_activity_logs', 'from_status', 'task_status', null),
('task_activity_logs', 'to_status', 'task_status', null),
('task_status_transitions', 'from_status', 'task_status', null),
('task_status_transitions', 'to_status', 'task_status', null),
('tasks', 'billing_type', 'billing_type', null),
('tasks', 'description', 'note', null),
('tasks', 'kind', 'task_kind', 'check_tasks_kind'),
('tasks', 'priority', 'priority', 'check_tasks_priority'),
('tasks', 'status', 'task_status', 'check_tasks_status'),
('tasks', 'title', 'label', null),
('template_stages', 'name', 'label', null),
('template_stages', 'stage_code', 'code', null),
('template_tasks', 'billing_type', 'billing_type', null),
('template_tasks', 'description', 'note', null),
('template_tasks', 'kind', 'task_kind', 'check_template_tasks_kind'),
('template_tasks', 'title', 'label', null),
('templates', 'description', 'note', null),
('templates', 'name', 'label', null),
('templates', 'project_type', 'project_type', 'check_templates_project_type'),
('tenants', 'name', 'label', null),
('time_entries', 'note', 'note', null),
('user_permissions', 'permission', 'code', null),
('users', 'email', 'email_address', 'check_users_email'),
('users', 'full_name', 'label', null),
('users', 'password_hash', 'reference', null),
('users', 'role', 'user_role', 'check_users_role');

do $$
declare
    r record;
    t text;
begin
    -- Code that reads these columns goes first; the repeatable files make it again after the migrations.
    for t in select distinct table_name from retype loop
        perform internal.drop_code_reading(
            format('app.%I', t)::regclass, (select array_agg(column_name) from retype where table_name = t)
        );
    end loop;
    for r in select * from retype loop
        if r.old_check is not null then
            execute format('alter table app.%I drop constraint %I', r.table_name, r.old_check);
        end if;
        execute format('alter table app.%I alter column %I type app.%I', r.table_name, r.column_name, r.domain_name);
    end loop;
end
$$;

-- The audit log's own words are bounded too (a request id comes from the service, at most 128 characters).
select internal.drop_code_reading('audit.audit_log', '{request_id,table_name,payload_hash}');
alter table audit.audit_log
alter column request_id type app.reference,
alter column table_name type app.label,
alter column payload_hash type app.sha256_hex;

-- A contract's name stays text: the split functions of 0008 return it as text; its length is a check instead.
alter table app.contracts drop constraint check_contracts_name;
alter table app.contracts add constraint check_contracts_name check (btrim(name) <> '' and char_length(name) <= 200);
comment on constraint check_contracts_name on app.contracts is 'A contract needs a name of at most 200 characters.';

-- Money, percentages and measures. Generated money columns are made again over the retyped inputs.
create temporary table renumber (table_name text, column_name text, domain_name text) on commit drop;
insert into renumber values
('orders', 'deposit_required', 'money'), ('template_tasks', 'hourly_rate', 'money'),
('products', 'cost_price', 'money'), ('products', 'default_price', 'money'), ('labor_rates', 'hourly_rate', 'money'),
('leads', 'estimated_value', 'money'), ('template_tasks', 'fixed_amount', 'money'), ('tasks', 'fixed_amount', 'money'),
('tasks', 'hourly_rate', 'money'), ('payments', 'amount', 'money'), ('payment_applications', 'amount', 'money'),
('stripe_checkouts', 'amount_due', 'money'), ('contract_template_lines', 'amount', 'money'),
('contract_template_lines', 'hourly_rate', 'money'), ('contract_line_rates', 'amount', 'money'),
('contract_line_rates', 'hourly_rate', 'money'), ('contract_line_pricing_schedules', 'amount', 'money'),
('products', 'tax_rate', 'percent'), ('sales_settings', 'deposit_percent', 'percent'),
('time_entries', 'hours', 'hours'), ('template_tasks', 'estimated_hours', 'hours'),
('tasks', 'estimated_hours', 'hours'), ('projects', 'budget_hours', 'hours'),
('stock_movements', 'quantity', 'quantity'), ('inventory_levels', 'quantity_on_hand', 'quantity'),
('inventory_levels', 'reorder_point', 'quantity');

do $$
declare
    r record;
    t text;
begin
    for t in select distinct table_name from renumber loop
        perform internal.drop_code_reading(
            format('app.%I', t)::regclass, (select array_agg(column_name) from renumber where table_name = t)
        );
    end loop;
    for r in select * from renumber loop
        execute format('alter table app.%I alter column %I type app.%I', r.table_name, r.column_name, r.domain_name);
    end loop;
end
$$;
