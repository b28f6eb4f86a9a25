-- What a client contact does on the portal (seed 003 §4.1-4.3, seed 000), what staff do about the portal (share
-- links, sessions), and the scan a client's upload waits for. Portal functions run as the portal door
-- (pgpsa_door_portal), whose policies (db/policies/0900_portal.sql) scope every row to the session's client and
-- check its capabilities; the few that find an approval by its emailed token run as the owner (the allowlist).

-- An approval by its token, for the caller: the token names its tenant (set for the rest of the call); with a
-- portal session, the approval must be of one of the session's projects. Null when there is none for this caller.
create or replace function internal.portal_approval(p_token text) returns app.approvals
language plpgsql volatile security definer set search_path = ''
as $$
declare
    a app.approvals;
    session_tenant uuid := internal.current_tenant_id();
begin
    if coalesce(p_token, '') !~ '^[0-9a-f]{96}$' then
        return null;
    end if;
    if internal.current_contact_id() is not null and session_tenant is distinct from left(p_token, 32)::uuid then
        return null;
    end if;
    perform set_config('pgpsa.tenant_id', left(p_token, 32)::uuid::text, true);
    select * into a from app.approvals as x
    where x.tenant_id = left(p_token, 32)::uuid and x.token_hash = internal.token_hash(p_token);
    if internal.current_contact_id() is not null and not a.project_id = any(internal.portal_project_ids()) then
        return null;
    end if;
    return a;
end;
$$;

-- Whether the contact deciding an approval (its link sent to p_approver_contact_id) may approve: the session's
-- contact (its capabilities, rechecked by portal.check_session), or, by the emailed link alone, the contact it was
-- sent to, as that contact is now (cut back to viewing, or archived, it may not); a link sent to an address that is
-- no contact decides as it always did.
-- api.decide_approval asks it for every decision and the previews for can_decide: one rule for both.
create or replace function internal.decider_may_approve(p_approver_contact_id uuid) returns boolean
language sql stable set search_path = ''
begin atomic
    select case
        when internal.current_contact_id() is not null then internal.portal_can('approve')
        when p_approver_contact_id is null then true
        else coalesce('approve' = any(internal.portal_capabilities_of(p_approver_contact_id)), false)
    end;
end;

-- An approval to decide, as its link shows it; nothing for a token that is not this caller's.
create or replace function portal.approval_preview(p_token text)
returns table (
    approval_id uuid, project_id uuid, project_name text, stage_id uuid, stage_name text,
    status app.approval_status, expires_at timestamptz, decided_at timestamptz, decision_comment text,
    can_decide boolean, created_at timestamptz
)
language plpgsql volatile security definer set search_path = ''
as $$
declare
    caller_tenant text := current_setting('pgpsa.tenant_id', true);
    a app.approvals := internal.portal_approval(p_token);
begin
    return query
    select a.id, p.id, p.name::text, s.id, s.name::text, a.status::app.approval_status, a.expires_at, a.decided_at,
        a.decision_comment::text,
        a.status = 'pending' and a.expires_at > now() and internal.decider_may_approve(a.approver_contact_id),
        a.created_at
    from app.projects as p
    inner join app.stages as s on p.tenant_id = s.tenant_id and s.id = a.stage_id
    where a.id is not null and p.tenant_id = a.tenant_id and p.id = a.project_id;
    perform set_config('pgpsa.tenant_id', coalesce(caller_tenant, ''), true);
end;
$$;

-- The proofs shown with an approval: the stage's files shared with the client; each signing is logged.
create or replace function portal.approval_files(p_token text)
returns table (file_id uuid, file_name text, content_type text, size_bytes bigint, storage_key text)
language plpgsql volatile security definer set search_path = ''
as $$
declare
    caller_tenant text := current_setting('pgpsa.tenant_id', true);
    a app.approvals := internal.portal_approval(p_token);
begin
    return query
    with proofs as (
        select f.id, f.file_name, f.content_type, f.size_bytes, f.storage_key
        from app.files as f
        inner join app.tasks as t on f.tenant_id = t.tenant_id and f.task_id = t.id
        where a.id is not null and f.tenant_id = a.tenant_id and t.stage_id = a.stage_id
          and f.visibility = 'customer' and f.state = 'available'
          -- By the link alone, the proofs show only while the approval is open: an old forwarded mail does not
          -- keep handing out the stage's files (a signed-in contact sees them through the project anyway).
          and (internal.current_contact_id() is not null or (a.status = 'pending' and a.expires_at > now()))
    ),

    logged as (
        insert into app.file_access_logs (tenant_id, file_id, contact_id, ip)
        select a.tenant_id, x.id, coalesce(internal.current_contact_id(), a.approver_contact_id), internal.current_ip()
        from proofs as x
        returning 1
    )

    select x.id, x.file_name::text, x.content_type::text, x.size_bytes, x.storage_key::text
    from proofs as x where (select count(*) from logged) >= 0
    order by x.file_name, x.id;
    perform set_config('pgpsa.tenant_id', coalesce(caller_tenant, ''), true);
end;
$$;

-- The decision from the portal: by the link's token alone (the approver's mail), or in a session of the same
-- client that holds the approve capability. Recorded with the deciding contact (api.decide_approval).
create or replace function portal.decide_approval(
    p_token text, p_decision app.approval_decision, p_comment app.note default null
)
returns table (
    approval_id uuid, status app.approval_status, stage_id uuid, stage_status app.stage_status, project_id uuid
)
language plpgsql volatile security definer set search_path = ''
as $$
declare
    caller_tenant text := current_setting('pgpsa.tenant_id', true);
    a app.approvals := internal.portal_approval(p_token);
begin
    perform set_config('pgpsa.tenant_id', coalesce(caller_tenant, ''), true);
    if a.id is null then
        raise exception using errcode = 'PT404', message = 'This approval link is not valid.';
    end if;  -- whether this contact may approve, api.decide_approval asks (internal.decider_may_approve)
    return query select * from api.decide_approval(p_token, p_decision, p_comment);
end;
$$;

-- The token behind an open approval's link, for a contact who may approve it (the portal links to it).
create or replace function portal.approval_token(p_approval_id uuid) returns text
language sql stable security definer set search_path = ''
begin atomic
    select internal.decrypt_secret(a.token_encrypted) from app.approvals as a
    where
        a.tenant_id = internal.current_tenant_id() and a.id = p_approval_id and a.status = 'pending'
        and a.project_id = any(internal.portal_project_ids()) and internal.portal_can('approve');
end;

-- A contact's download, once its function has checked that the contact may see the file: the access log row (contact,
-- file, address, time) and the file's storage key, in the transaction that signs the URL, so no URL goes out unlogged.
create or replace function internal.portal_download_logged(p_file_id uuid) returns text
language sql volatile set search_path = ''
begin atomic
    insert into app.file_access_logs (tenant_id, file_id, contact_id, ip)
    values (internal.current_tenant_id(), p_file_id, internal.current_contact_id(), internal.current_ip());
    select f.storage_key::text from app.files as f
    where f.tenant_id = internal.current_tenant_id() and f.id = p_file_id;
end;

-- A contract document's download (seed 001): a document of a contract the session's client owns (the ownership rule
-- of portal.contract_documents, so a contract cloned by the split shows only to its own client), logged.
create or replace function portal.contract_document_download(p_file_id uuid) returns table (storage_key text)
language plpgsql volatile security definer set search_path = ''
as $$
begin
    if internal.current_portal_project_id() is not null or not exists (
        select from portal.contract_documents() as d where d.file_id = p_file_id
    ) then
        perform internal.not_found('file', p_file_id);
    end if;
    return query select internal.portal_download_logged(p_file_id);
end;
$$;

-- Signing out ends the session in the database, not only in the browser: its token is worth nothing afterwards.
create or replace function portal.end_session() returns void
language sql volatile set search_path = ''
begin atomic
    update app.portal_sessions as s set revoked_at = now()
    where
        s.tenant_id = internal.current_tenant_id() and s.id = internal.current_portal_session_id()
        and s.revoked_at is null;
end;

-- A comment on a client-visible task, always shown to the client (seed 000).
create or replace function portal.add_comment(p_task_id uuid, p_body app.note) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
    new_id uuid;
begin
    if p_body is null or btrim(p_body) = '' then
        raise exception using errcode = '23502', message = 'body is required.', column = 'body';
    end if;
    if not exists (select from app.tasks as t where t.tenant_id = internal.current_tenant_id() and t.id = p_task_id) then
        perform internal.not_found('task', p_task_id);
    end if;
    insert into app.comments (tenant_id, task_id, author_contact_id, body, client_visible)
    values (internal.current_tenant_id(), p_task_id, internal.current_contact_id(), p_body, true)
    returning id into new_id;
    return new_id;
end;
$$;

-- An upload for an order (seed 003 §4.3, the size list): a customer file of the order's project, its key under
-- tenant/client/order, pending until its bytes are confirmed. Needs the upload capability.
create or replace function portal.create_upload(p_order_id uuid, p portal.upload_create)
returns table (file_id uuid, storage_key text)
language plpgsql volatile set search_path = ''
as $$
declare
    new_id uuid := gen_random_uuid();
    project uuid;
    key text;
begin
    if not internal.portal_can('upload') then
        raise exception using errcode = 'PT403', message = 'You may not upload files for this client.',
            hint = 'Ask the studio to let you upload, or send the file to them.';
    end if;
    if not exists (select from app.orders as o where o.tenant_id = internal.current_tenant_id() and o.id = p_order_id) then
        perform internal.not_found('order', p_order_id);
    end if;
    select pr.id into project from app.projects as pr
    where pr.tenant_id = internal.current_tenant_id() and pr.order_id = p_order_id
    order by pr.created_at limit 1;
    if project is null then
        raise exception using errcode = 'PT409', message = 'This order has no project yet, so nothing can be uploaded to it.',
            hint = 'Try again once the studio has started work on it.';
    end if;
    if (p ->> 'size')::bigint > 52428800 then
        raise exception using errcode = 'PT413', message = 'A file is at most 50 MB.', column = 'size';
    end if;
    key := format('%s/%s/%s/%s/%s', internal.current_tenant_id(), internal.current_client_id(), p_order_id, new_id,
        p ->> 'file_name');
    insert into app.files (
        tenant_id, id, project_id, storage_key, file_name, content_type, size_bytes, visibility, uploaded_by_contact_id
    ) values (
        internal.current_tenant_id(), new_id, project, key, p ->> 'file_name',
        coalesce(p ->> 'content_type', 'application/octet-stream'), (p ->> 'size')::bigint, 'customer',
        internal.current_contact_id()
    );
    file_id := new_id;
    storage_key := key;
    return next;
end;
$$;

-- The storage key of the contact's own upload that waits for its bytes (the service checks what storage holds).
create or replace function portal.upload_key(p_file_id uuid) returns text
language sql stable set search_path = ''
begin atomic
    select f.storage_key from app.files as f
    where
        f.tenant_id = internal.current_tenant_id() and f.id = p_file_id and f.state = 'pending'
        and f.uploaded_by_contact_id = internal.current_contact_id();
end;

-- The upload confirmed with what storage really holds; it waits for its scan (designers see it only then).
create or replace function portal.complete_upload(p_file_id uuid, p_size_bytes bigint, p_checksum_sha256 text)
returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    update app.files as f set
        size_bytes = p_size_bytes, checksum_sha256 = p_checksum_sha256, state = 'pending_scan', confirmed_at = now()
    where f.tenant_id = internal.current_tenant_id() and f.id = p_file_id and f.state = 'pending'
      and f.uploaded_by_contact_id = internal.current_contact_id();
    if not found then
        if exists (select from app.files as f where f.tenant_id = internal.current_tenant_id() and f.id = p_file_id) then
            raise exception using errcode = 'PT409', message = 'This upload was already completed.';
        end if;
        perform internal.not_found('file', p_file_id);
    end if;
    perform internal.queue_scan(p_file_id);
    return p_file_id;
end;
$$;

-- The scan job for a file of the current tenant that waits for it (owner-run: only the owner queues jobs).
create or replace function internal.queue_scan(p_file_id uuid) returns void
language plpgsql volatile security definer set search_path = ''
as $$
begin
    if exists (
        select from app.files as f
        where f.tenant_id = internal.current_tenant_id() and f.id = p_file_id and f.state = 'pending_scan'
    ) then
        perform internal.enqueue('scan_file',
            jsonb_build_object('tenant_id', internal.current_tenant_id(), 'file_id', p_file_id));
    end if;
end;
$$;

-- A signed download of a file the contact may see, logged with contact, file, address and time.
create or replace function portal.file_download(p_file_id uuid) returns table (storage_key text)
language plpgsql volatile set search_path = ''
as $$
begin
    if not exists (
        select from app.files as f
        where f.tenant_id = internal.current_tenant_id() and f.id = p_file_id and f.state = 'available'
    ) then
        perform internal.not_found('file', p_file_id);
    end if;
    return query select internal.portal_download_logged(p_file_id);
end;
$$;

-- Paying online is for a contact who holds the pay capability: starting a Checkout attempt and recording it.
create or replace function internal.portal_require_pay() returns void
language plpgsql stable set search_path = ''
as $$
begin
    if not internal.portal_can('pay') then
        raise exception using errcode = 'PT403', message = 'You may not pay invoices for this client online.',
            hint = 'Ask the studio to let you pay, or pay by the means on the invoice.';
    end if;
end;
$$;

-- Paying an open invoice (seed 003 §4.1): a Checkout attempt as staff start one, for a contact who may pay.
create or replace function portal.begin_checkout(p_invoice_id uuid)
returns table (
    attempt integer, idempotency_key text, invoice_number text, amount_due numeric, currency text, client_email text,
    amount_due_minor bigint
)
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.portal_require_pay();
    if not exists (select from app.invoices as i where i.tenant_id = internal.current_tenant_id() and i.id = p_invoice_id) then
        perform internal.not_found('invoice', p_invoice_id);
    end if;
    return query select * from internal.begin_checkout(p_invoice_id);
end;
$$;

create or replace function portal.record_checkout(p_invoice_id uuid, p_attempt integer, p_session_id text, p_url text)
returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.portal_require_pay();
    if not exists (select from app.invoices as i where i.tenant_id = internal.current_tenant_id() and i.id = p_invoice_id) then
        perform internal.not_found('invoice', p_invoice_id);
    end if;
    return internal.record_checkout(p_invoice_id, p_attempt, p_session_id, p_url);
end;
$$;

-- The worker's scan (service.scan): the file waiting for it, then its verdict.
create or replace function api.file_to_scan(p_file_id uuid) returns table (storage_key text, content_type text)
language sql stable security definer set search_path = ''
begin atomic
    select
        f.storage_key,
        f.content_type
    from app.files as f
    where f.tenant_id = internal.current_tenant_id() and f.id = p_file_id and f.state = 'pending_scan';
end;

create or replace function api.file_scanned(p_file_id uuid, p_clean boolean) returns text
language plpgsql volatile security definer set search_path = ''
as $$
declare
    new_state text;
begin
    update app.files as f set state = case when p_clean then 'available' else 'quarantined' end
    where f.tenant_id = internal.current_tenant_id() and f.id = p_file_id and f.state = 'pending_scan'
    returning f.state into new_state;
    if new_state = 'quarantined' then
        perform internal.record_event('file.quarantined', 'file', p_file_id, '{}');
    end if;
    return new_state;
end;
$$;

-- Staff: a project's share link (seed 000), made or replaced; only its hash is kept, and the sessions the old link
-- opened end with it.
create or replace function api.rotate_share_link(p_project_id uuid) returns table (project_id uuid, share_token text)
language plpgsql volatile set search_path = ''
as $$
declare
    new_token text := replace(internal.current_tenant_id()::text, '-', '') || encode(extensions.gen_random_bytes(32), 'hex');
begin
    perform internal.require_access('projects', 'update');
    update app.projects as p set share_token_hash = internal.token_hash(new_token)
    where p.tenant_id = internal.current_tenant_id() and p.id = p_project_id;
    if not found then
        perform internal.not_found('project', p_project_id);
    end if;
    perform internal.end_portal_sessions(null, null, p_project_id);
    project_id := p_project_id;
    share_token := new_token;
    return next;
end;
$$;

create or replace function api.revoke_share_link(p_project_id uuid) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('projects', 'update');
    update app.projects as p set share_token_hash = null
    where p.tenant_id = internal.current_tenant_id() and p.id = p_project_id;
    if not found then
        perform internal.not_found('project', p_project_id);
    end if;
    perform internal.end_portal_sessions(null, null, p_project_id);
    return p_project_id;
end;
$$;

-- Ends the live portal sessions of a contact, a client, or a project's share link; their next request is a 401.
create or replace function internal.end_portal_sessions(p_contact_id uuid, p_client_id uuid, p_project_id uuid)
returns integer
language sql volatile set search_path = ''
begin atomic
    with ended as (
        update app.portal_sessions as s set revoked_at = now(), revoked_by = internal.current_user_id()
        where
            s.tenant_id = internal.current_tenant_id() and s.revoked_at is null and s.expires_at > now()
            and (p_contact_id is null or s.contact_id = p_contact_id)
            and (p_client_id is null or s.client_id = p_client_id)
            and (p_project_id is null or s.project_id = p_project_id)
            and coalesce(p_contact_id, p_client_id, p_project_id) is not null
        returning 1
    )

    select count(*)::integer from ended;
end;

drop function if exists api.revoke_contact_sessions(uuid);
create or replace function api.revoke_contact_sessions(p_contact_id uuid) returns table (ended integer)
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('portal_sessions', 'update');
    if not exists (select from app.contacts as c where c.tenant_id = internal.current_tenant_id() and c.id = p_contact_id) then
        perform internal.not_found('contact', p_contact_id);
    end if;
    return query select internal.end_portal_sessions(p_contact_id, null, null);
end;
$$;

drop function if exists api.revoke_client_sessions(uuid);
create or replace function api.revoke_client_sessions(p_client_id uuid) returns table (ended integer)
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('portal_sessions', 'update');
    if not exists (select from app.clients as c where c.tenant_id = internal.current_tenant_id() and c.id = p_client_id) then
        perform internal.not_found('client', p_client_id);
    end if;
    return query select internal.end_portal_sessions(null, p_client_id, null);
end;
$$;

grant execute on function
internal.current_portal_session_id(), internal.current_portal_project_id(), internal.portal_project_ids(),
internal.portal_order_ids(), internal.portal_task_ids(), internal.portal_can(text)
to pgpsa_door_portal, pgpsa_door_api;
grant execute on function internal.portal_require_pay(), internal.portal_download_logged(uuid) to pgpsa_door_portal;
grant execute on function internal.end_portal_sessions(uuid, uuid, uuid) to pgpsa_door_api;
grant execute on function internal.not_found(text, uuid), internal.token_hash(text),
internal.portal_capabilities(),
internal.task_attachment_limit()
to pgpsa_door_portal;
