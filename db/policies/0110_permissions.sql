-- Each permission in one place: for every table and command, which permission it needs (any one of the list; an
-- empty list means any user of the tenant).
-- The restrictive policies permission_<command> on each table are generated from this list, for the api door
-- (pgpsa_door_api, which every api view and function runs as), and the api functions ask the same list
-- (internal.require_access), including the owner-run ones that write what the door may not. A command a table does
-- not list is not granted to the door at all (the catalog guard checks it). Row rules (a designer's own tasks) are
-- separate policies in the area files. A table is named without its schema when it is in app.

delete from internal.table_permissions;
insert into internal.table_permissions (table_name, command, permissions)
select
    v.table_name,
    c.command,
    c.permissions
from (
    values
    -- table                            select                              insert / update / delete
    -- Everyone on staff sees the directory (assignees, who did what); changing it is users:write.
    ('users', '{}', '{users:write}', '{users:write}', null),
    ('user_permissions', '{users:read}', '{users:write}', '{users:write}', '{users:write}'),
    ('clients', '{clients:read}', '{clients:write}', '{clients:write}', null),
    ('contacts', '{clients:read}', '{clients:write}', '{clients:write}', null),
    ('domain_events', '{audit:read}', null, null, null),
    -- Mail and schedule runs are written only by the owner's rules (event delivery, the schedules).
    ('outbound_mail', '{audit:read}', null, null, null),
    ('schedule_runs', '{audit:read}', null, null, null),
    -- Staff see a client's portal sessions and end them (api.revoke_portal_sessions).
    ('portal_sessions', '{clients:read}', null, '{clients:write}', null),
    ('audit.audit_log', '{audit:read}', null, null, null),
    ('templates', '{projects:read}', '{projects:write}', '{projects:write}', '{projects:write}'),
    ('template_stages', '{projects:read}', '{projects:write}', '{projects:write}', '{projects:write}'),
    ('template_tasks', '{projects:read}', '{projects:write}', '{projects:write}', '{projects:write}'),
    ('projects', '{projects:read}', '{projects:write}', '{projects:write}', null),
    ('stages', '{projects:read}', '{projects:write}', '{projects:write}', null),
    ('tasks', '{tasks:read}', '{tasks:write}', '{tasks:write}', '{projects:write}'),
    ('task_assignees', '{tasks:read}', '{tasks:all}', null, '{tasks:all}'),
    ('time_entries', '{tasks:read}', '{tasks:write}', '{tasks:write}', '{tasks:write}'),
    ('comments', '{tasks:read}', '{tasks:write}', '{tasks:write}', null),
    ('task_activity_logs', '{tasks:read}', null, null, null),
    ('approvals', '{approvals:read}', '{approvals:write}', '{approvals:write}', null),
    ('approval_revisions', '{approvals:read}', null, null, null),
    ('files', '{projects:read}', '{files:write}', '{files:write}', '{files:write}'),
    -- Signing a download is a read of the file, and its log row is part of that read.
    ('file_access_logs', '{audit:read}', '{files:read}', null, null),
    ('invoices', '{invoices:read}', '{invoices:write}', '{invoices:write}', '{invoices:write}'),
    ('invoice_lines', '{invoices:read}', '{invoices:write}', '{invoices:write}', '{invoices:write}'),
    ('stripe_checkouts', '{invoices:read}', '{invoices:write}', '{invoices:write}', null),
    ('stripe_events', '{invoices:read}', null, null, null),
    ('payments', '{payments:read}', '{payments:write}', null, null),
    ('payment_applications', '{payments:read}', '{payments:write}', null, '{payments:write}'),
    (
        'contract_templates',
        '{contracts:read,invoices:read}',
        '{contracts:write}',
        '{contracts:write}',
        '{contracts:write}'
    ),
    (
        'contract_template_lines',
        '{contracts:read,invoices:read}', '{contracts:write}', '{contracts:write}', '{contracts:write}'
    ),
    ('contracts', '{contracts:read,invoices:read}', '{contracts:write}', '{contracts:write}', '{contracts:write}'),
    ('contract_lines', '{contracts:read,invoices:read}', '{contracts:write}', '{contracts:write}', '{contracts:write}'),
    (
        'contract_line_services',
        '{contracts:read,invoices:read}', '{contracts:write}', '{contracts:write}', '{contracts:write}'
    ),
    (
        'contract_line_rates',
        '{contracts:read,invoices:read}', '{contracts:write}', '{contracts:write}', '{contracts:write}'
    ),
    (
        'contract_line_pricing_schedules',
        '{contracts:read,invoices:read}', '{contracts:write}', '{contracts:write}', '{contracts:write}'
    ),
    (
        'client_contracts',
        '{contracts:read,invoices:read}',
        '{contracts:write}',
        '{contracts:write}',
        '{contracts:write}'
    ),
    (
        'contract_documents',
        '{contracts:read,invoices:read}', '{contracts:write}', '{contracts:write}', '{contracts:write}'
    ),
    ('contract_billings', '{contracts:read,invoices:read}', null, null, null),
    (
        'sales_settings',
        '{orders:read,inventory:read}',
        '{orders:write,inventory:write}',
        '{orders:write,inventory:write}',
        null
    ),
    ('products', '{products:read}', '{products:write}', '{products:write}', null),
    ('labor_rates', '{products:read}', '{products:write}', '{products:write}', '{products:write}'),
    ('leads', '{leads:read}', '{leads:write}', '{leads:write}', '{leads:write}'),
    ('quotes', '{quotes:read}', '{quotes:write}', '{quotes:write}', '{quotes:write}'),
    ('quote_items', '{quotes:read}', '{quotes:write}', '{quotes:write}', '{quotes:write}'),
    -- Orders and job tickets are made by owner-run rules (acceptance, api.create_order), never by the door itself.
    ('orders', '{orders:read}', '{orders:write}', '{orders:write}', null),
    ('order_items', '{orders:read}', null, '{orders:write}', null),
    ('job_tickets', '{projects:read}', '{projects:write}', null, null),
    -- A station scanner reads back the scan it records.
    ('job_ticket_scans', '{projects:read,jobtickets:scan}', '{jobtickets:scan}', null, null),
    ('inventory_locations', '{inventory:read}', '{inventory:write}', '{inventory:write}', null),
    ('inventory_levels', '{inventory:read}', '{inventory:write}', '{inventory:write}', null),
    ('stock_movements', '{inventory:read}', '{inventory:write}', null, null)
) as v (table_name, select_permissions, insert_permissions, update_permissions, delete_permissions)
cross join
    lateral (
        values
        ('select', v.select_permissions::text[]), ('insert', v.insert_permissions::text[]),
        ('update', v.update_permissions::text[]), ('delete', v.delete_permissions::text[])
    ) as c (command, permissions)
where c.permissions is not null;

-- The generated policies: restrictive, for the api door, one per declared command. Each says "tenant_id is the
-- request's tenant if the user holds one of the permissions" (internal.permitted_tenant_id): an equality on
-- tenant_id beside the tenant policy's, which the planner checks once per statement rather than once per row.
do $$
declare
    d record;
begin
    for d in select * from internal.table_permissions where cardinality(permissions) > 0 order by 1, 2 loop
        perform internal.ensure_ddl('policy', internal.declared_table(d.table_name), 'permission_' || d.command, format(
            'create policy permission_%1$s on %2$s as restrictive for %1$s to pgpsa_door_api %3$s '
            '(tenant_id = internal.permitted_tenant_id(%4$L))',
            d.command, internal.declared_table(d.table_name), case d.command when 'insert' then 'with check' else 'using' end,
            d.permissions
        ));
    end loop;
end
$$;

grant select on internal.table_permissions to pgpsa_door_api;
