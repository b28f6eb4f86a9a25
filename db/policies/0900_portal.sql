-- What the portal door (pgpsa_door_portal: every portal view and function runs as it) may read and write: only the
-- session's client, its projects (one, from a share link), what the team shows the client, and the writes the
-- portal offers, each behind its capability. portal.check_session states the session's reach first; no policy
-- here looks anything up (a list in the request's context, compared with the row's key).

grant usage on schema app to pgpsa_door_portal;

create policy portal_tenant on app.tenants for select to pgpsa_door_portal using (id = internal.current_tenant_id());
grant select (id, name) on app.tenants to pgpsa_door_portal;

create policy portal_own_client on app.clients for select to pgpsa_door_portal
using (tenant_id = internal.current_tenant_id() and id = internal.current_client_id());
grant select (tenant_id, id, name, portal_capabilities, archived_at) on app.clients to pgpsa_door_portal;

create policy portal_own_contacts on app.contacts for select to pgpsa_door_portal
using (tenant_id = internal.current_tenant_id() and client_id = internal.current_client_id());
grant select (tenant_id, id, client_id, name, email, portal_capabilities, archived_at) on app.contacts
to pgpsa_door_portal;

create policy portal_own_session on app.portal_sessions for select to pgpsa_door_portal
using (tenant_id = internal.current_tenant_id() and id = internal.current_portal_session_id());
create policy portal_own_session_seen on app.portal_sessions for update to pgpsa_door_portal
using (tenant_id = internal.current_tenant_id() and id = internal.current_portal_session_id());
grant select, update (last_seen_at, revoked_at) on app.portal_sessions to pgpsa_door_portal;

-- Staff read and end sessions (api.portal_sessions, api.revoke_*_sessions) under clients:read / clients:write.
grant select, update (revoked_at, revoked_by) on app.portal_sessions to pgpsa_door_api;

create policy portal_own_orders on app.orders for select to pgpsa_door_portal
using (
    tenant_id = internal.current_tenant_id() and client_id = internal.current_client_id()
    and (internal.current_portal_project_id() is null or id = any(internal.portal_order_ids()))
);
grant select on app.orders to pgpsa_door_portal;

create policy portal_own_projects on app.projects for select to pgpsa_door_portal
using (
    tenant_id = internal.current_tenant_id() and client_id = internal.current_client_id()
    and (internal.current_portal_project_id() is null or id = internal.current_portal_project_id())
);
grant select (
    tenant_id, id, project_code, name, client_id, order_id, status, start_date, due_date, completed_at, created_at
)
on app.projects to pgpsa_door_portal;

create policy portal_project_stages on app.stages for select to pgpsa_door_portal
using (tenant_id = internal.current_tenant_id() and project_id = any(internal.portal_project_ids()));
grant select on app.stages to pgpsa_door_portal;

-- Tasks the team shows the client (client_visible), never their rates or assignees.
create policy portal_visible_tasks on app.tasks for select to pgpsa_door_portal
using (
    tenant_id = internal.current_tenant_id() and client_visible and project_id = any(internal.portal_project_ids())
);
grant select (
    tenant_id, id, project_id, stage_id, sequence, title, kind, status, due_date, completed_at, client_visible
) on app.tasks to pgpsa_door_portal;

create policy portal_project_approvals on app.approvals for select to pgpsa_door_portal
using (tenant_id = internal.current_tenant_id() and project_id = any(internal.portal_project_ids()));
grant select (
    tenant_id, id, project_id, stage_id, status, expires_at, decided_at, decision_comment, decided_by_contact_id,
    created_at
) on app.approvals to pgpsa_door_portal;

-- Files: the team's customer files once available, and the contact's own uploads at every step; an upload is
-- made (with the upload capability) and completed only by its contact, into a project the session reaches.
create policy portal_customer_files on app.files for select to pgpsa_door_portal
using (
    tenant_id = internal.current_tenant_id() and visibility = 'customer'
    and project_id = any(internal.portal_project_ids())
    and (state = 'available' or uploaded_by_contact_id = internal.current_contact_id())
);
create policy portal_upload_files on app.files for insert to pgpsa_door_portal
with check (
    tenant_id = internal.current_tenant_id() and visibility = 'customer' and state = 'pending'
    and uploaded_by_user_id is null and uploaded_by_contact_id = internal.current_contact_id()
    and project_id = any(internal.portal_project_ids()) and internal.portal_can('upload')
);
create policy portal_complete_files on app.files for update to pgpsa_door_portal
using (
    tenant_id = internal.current_tenant_id() and state = 'pending'
    and uploaded_by_contact_id = internal.current_contact_id()
)
with check (state = 'pending_scan' and uploaded_by_contact_id = internal.current_contact_id());
grant select,
insert (
    tenant_id, id, project_id, storage_key, file_name, content_type, size_bytes, visibility, uploaded_by_contact_id
),
update (size_bytes, checksum_sha256, state, confirmed_at)
on app.files to pgpsa_door_portal;

create policy portal_file_access on app.file_access_logs for insert to pgpsa_door_portal
with check (
    tenant_id = internal.current_tenant_id() and contact_id = internal.current_contact_id() and user_id is null
);
grant insert (tenant_id, file_id, contact_id, ip) on app.file_access_logs to pgpsa_door_portal;

-- Comments the client is shown, on tasks the client is shown; a contact's own are always shown.
create policy portal_visible_comments on app.comments for select to pgpsa_door_portal
using (tenant_id = internal.current_tenant_id() and client_visible and task_id = any(internal.portal_task_ids()));
create policy portal_add_comments on app.comments for insert to pgpsa_door_portal
with check (
    tenant_id = internal.current_tenant_id() and client_visible and author_user_id is null
    and author_contact_id = internal.current_contact_id() and task_id = any(internal.portal_task_ids())
);
grant select (tenant_id, id, task_id, author_contact_id, body, client_visible, created_at),
insert (tenant_id, task_id, author_contact_id, body, client_visible)
on app.comments to pgpsa_door_portal;

-- Invoices once sent (never drafts); a share link's session sees those of its project and order.
create policy portal_own_invoices on app.invoices for select to pgpsa_door_portal
using (
    tenant_id = internal.current_tenant_id() and client_id = internal.current_client_id() and status <> 'draft'
    and (
        internal.current_portal_project_id() is null or project_id = internal.current_portal_project_id()
        or order_id = any(internal.portal_order_ids())
    )
);
grant select on app.invoices to pgpsa_door_portal;

-- Payments and contracts are the client's as a whole: a share link's session (one project) does not see them.
create policy portal_own_payments on app.payments for select to pgpsa_door_portal
using (
    tenant_id = internal.current_tenant_id() and client_id = internal.current_client_id()
    and internal.current_portal_project_id() is null
);
grant select (tenant_id, id, payment_number, client_id, method, amount, currency, received_at, status)
on app.payments to pgpsa_door_portal;

create policy portal_own_assignments on app.client_contracts for select to pgpsa_door_portal
using (
    tenant_id = internal.current_tenant_id() and client_id = internal.current_client_id()
    and internal.current_portal_project_id() is null
);
grant select on app.client_contracts to pgpsa_door_portal;

create policy portal_own_contracts on app.contracts for select to pgpsa_door_portal
using (
    tenant_id = internal.current_tenant_id() and owner_client_id = internal.current_client_id()
    and internal.current_portal_project_id() is null
);
grant select (tenant_id, id, name, description, billing_frequency, currency, owner_client_id) on app.contracts
to pgpsa_door_portal;

-- A client's upload reaches the team once its scan passed (seed 003 §4.3): before that (and when quarantined) only
-- those who manage projects see it.
create policy files_client_uploads_scanned on app.files as restrictive for select to pgpsa_door_api
using (
    uploaded_by_contact_id is null or state not in ('pending', 'pending_scan', 'quarantined')
    or internal.has_permission('projects:write')
);
