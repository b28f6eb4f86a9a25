-- Undo 0014: the columns back to text (numeric), the domains dropped, order priorities back to "rush".
do $$
declare
    c record;
    old_check text;
begin
    for c in
        select a.attrelid::regclass as rel, a.attname, t.typname, t.oid as typid, bt.oid as base, a.atttypmod
        from pg_attribute as a
        join pg_type as t on t.oid = a.atttypid
        join pg_type as bt on bt.oid = t.typbasetype
        join pg_class as r on r.oid = a.attrelid
        where r.relnamespace in ('app'::regnamespace, 'audit'::regnamespace) and r.relkind = 'r' and t.typtype = 'd'
          and t.typnamespace = 'app'::regnamespace and t.typname <> 'currency_code'
    loop
        perform internal.drop_code_reading(c.rel, array[c.attname::text]);
        execute format('alter table %s alter column %I type %s', c.rel, c.attname,
            format_type(c.base, case when c.typname = 'money' then (12 << 16 | 2) + 4
                when c.typname = 'percent' then (5 << 16 | 2) + 4 when c.typname = 'hours' then (8 << 16 | 2) + 4
                when c.typname = 'quantity' then (12 << 16 | 3) + 4 else null end));
        -- The column checks 0014 dropped for its domains come back by their old names, worded as the domain is.
        select v.name into old_check from (
            values
            ('approvals', 'status', 'check_approvals_status'),
            ('client_contracts', 'renewal_state', 'check_client_contracts_renewal_state'),
            ('clients', 'email', 'check_clients_email'),
            ('contacts', 'email', 'check_contacts_email'),
            ('contract_lines', 'line_type', 'check_contract_lines_type'),
            ('contract_templates', 'billing_frequency', 'check_contract_templates_billing_frequency'),
            ('contracts', 'billing_frequency', 'check_contracts_billing_frequency'),
            ('contracts', 'status', 'check_contracts_status'),
            ('domain_events', 'event_type', 'check_domain_events_event_type'),
            ('files', 'state', 'check_files_state'),
            ('files', 'visibility', 'check_files_visibility'),
            ('inventory_locations', 'location_type', 'check_inventory_locations_type'),
            ('invoices', 'kind', 'check_invoices_kind'),
            ('invoices', 'status', 'check_invoices_status'),
            ('labor_rates', 'role', 'check_labor_rates_role'),
            ('leads', 'status', 'check_leads_status'),
            ('order_items', 'fulfillment_type', 'check_order_items_fulfillment'),
            ('orders', 'project_type', 'check_orders_project_type'),
            ('orders', 'status', 'check_orders_status'),
            ('payments', 'method', 'check_payments_method'),
            ('payments', 'status', 'check_payments_status'),
            ('products', 'product_type', 'check_products_type'),
            ('projects', 'status', 'check_projects_status'),
            ('quote_items', 'fulfillment_type', 'check_quote_items_fulfillment'),
            ('quotes', 'project_type', 'check_quotes_project_type'),
            ('quotes', 'status', 'check_quotes_status'),
            ('role_permissions', 'role', 'check_role_permissions_role'),
            ('stages', 'status', 'check_stages_status'),
            ('stock_movements', 'movement_type', 'check_stock_movements_type'),
            ('stripe_events', 'outcome', 'check_stripe_events_outcome'),
            ('tasks', 'kind', 'check_tasks_kind'),
            ('tasks', 'priority', 'check_tasks_priority'),
            ('tasks', 'status', 'check_tasks_status'),
            ('template_tasks', 'kind', 'check_template_tasks_kind'),
            ('templates', 'project_type', 'check_templates_project_type'),
            ('users', 'email', 'check_users_email'),
            ('users', 'role', 'check_users_role')
        ) as v (table_name, column_name, name)
        where format('app.%I', v.table_name) = c.rel::text and v.column_name = c.attname;
        if old_check is not null then
            execute format('alter table %s add constraint %I %s', c.rel, old_check, (
                select regexp_replace(pg_get_constraintdef(k.oid), '\mVALUE\M', quote_ident(c.attname), 'g')
                from pg_constraint as k where k.contypid = c.typid and k.contype = 'c'
            ));
        end if;
    end loop;
end
$$;
do $$
declare
    d text;
begin
    for d in
        select t.typname from pg_type as t
        where t.typnamespace = 'app'::regnamespace and t.typtype = 'd' and t.typname <> 'currency_code'
    loop
        -- with the functions and views that take or show them (the repeatable files make them again)
        execute format('drop domain app.%I cascade', d);
    end loop;
end
$$;
alter table app.orders add constraint check_orders_priority
check (priority in ('low', 'normal', 'high', 'rush', 'urgent'));
drop function if exists internal.create_vocabulary(text, text[], text);
