-- Clients and contacts: the api functions the service calls, and the rules that hold for every writer.

-- Archived clients are read-only, except for being restored (archived_at back to NULL).
create or replace function internal.tg_clients__archived_read_only() returns trigger
language plpgsql set search_path = ''
as $$
begin
    if old.archived_at is not null and new.archived_at is not null and new is distinct from old then
        raise exception using
            errcode = 'PT409',
            message = format('Client %s is archived, so it cannot be changed.', old.account_code),
            hint = 'Restore the client first.';
    end if;
    return new;
end;
$$;

drop trigger if exists trg_clients_100_archived_read_only on app.clients;
create trigger trg_clients_100_archived_read_only before update on app.clients
for each row execute function internal.tg_clients__archived_read_only();

-- New or moved contacts need an active client; archiving a client archives nothing else (history stays).
-- The client is locked FOR SHARE, so a contact added while the client is being archived waits for the archiving
-- and then sees it (without the lock both committed: an active contact of an archived client). As the owner:
-- locking needs UPDATE rights and policies on clients that a contact's writer need not have.
create or replace function internal.tg_contacts__client_active() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    archived timestamptz;
begin
    select c.archived_at into archived from app.clients as c
    where c.tenant_id = new.tenant_id and c.id = new.client_id
    for share;
    if archived is not null and (tg_op = 'INSERT' or new.archived_at is null) then
        raise exception using
            errcode = 'PT409',
            message = 'This client is archived; its contacts cannot be added or changed.',
            hint = 'Restore the client first.';
    end if;
    return new;
end;
$$;

drop trigger if exists trg_contacts_100_client_active on app.contacts;
create trigger trg_contacts_100_client_active before insert or update on app.contacts
for each row execute function internal.tg_contacts__client_active();

create or replace function internal.not_found(p_what text, p_id uuid) returns void
language plpgsql stable set search_path = ''
as $$
begin
    raise exception using errcode = 'PT404', message = format('No %s with id %s.', p_what, p_id);
end;
$$;

-- Bodies are typed by their shapes (db/migrations/0015_shapes.sql): a call that does not conform is refused, in
-- words naming the field, before the function runs.
drop function if exists api.create_client(jsonb);
-- A JSON array of words as text[] (null for JSON null or no value): how a body's list of words is stored.
create or replace function internal.json_words(p jsonb) returns text[]
language sql immutable parallel safe
begin atomic
    select case when jsonb_typeof(p) = 'array' then array(select jsonb_array_elements_text(p)) end;
end;

create or replace function api.create_client(p api.client_create) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
    new_id uuid;
begin
    perform internal.require_access('clients', 'insert');
    insert into app.clients (
        tenant_id, account_code, name, channel, phone, email, billing_address, shipping_address, tax_id_encrypted,
        portal_capabilities
    ) values (
        internal.current_tenant_id(), p ->> 'account_code', p ->> 'name', p ->> 'channel', p ->> 'phone',
        p ->> 'email', nullif(p -> 'billing_address', 'null'), nullif(p -> 'shipping_address', 'null'),
        internal.encrypt_secret(p ->> 'tax_id'),
        coalesce(internal.json_words(p -> 'portal_capabilities'), '{view,approve,upload,pay}')
    ) returning id into new_id;
    return new_id;
end;
$$;

-- Changes only the keys present in p; a key with JSON null clears that field.
drop function if exists api.update_client(uuid, jsonb);
create or replace function api.update_client(p_id uuid, p api.client_patch) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('clients', 'update');
    update app.clients as c set
        account_code = case when p ? 'account_code' then p ->> 'account_code' else c.account_code end,
        name = case when p ? 'name' then p ->> 'name' else c.name end,
        channel = case when p ? 'channel' then p ->> 'channel' else c.channel end,
        phone = case when p ? 'phone' then p ->> 'phone' else c.phone end,
        email = case when p ? 'email' then (p ->> 'email')::extensions.citext else c.email end,
        billing_address = case
            when p ? 'billing_address' then nullif(p -> 'billing_address', 'null') else c.billing_address
        end,
        shipping_address = case
            when p ? 'shipping_address' then nullif(p -> 'shipping_address', 'null') else c.shipping_address
        end,
        portal_capabilities = case
            when p ? 'portal_capabilities' then internal.json_words(p -> 'portal_capabilities')
            else c.portal_capabilities
        end
    where c.tenant_id = internal.current_tenant_id() and c.id = p_id;
    if not found then
        perform internal.not_found('client', p_id);
    end if;
    if p ? 'tax_id' then
        update app.clients as c set tax_id_encrypted = internal.encrypt_secret(p ->> 'tax_id')
        where c.tenant_id = internal.current_tenant_id() and c.id = p_id;
    end if;
    return p_id;
end;
$$;

-- Archiving is idempotent; the client's history (contacts, documents) stays.
create or replace function api.archive_client(p_id uuid) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('clients', 'update');
    update app.clients as c set archived_at = coalesce(c.archived_at, now())
    where c.tenant_id = internal.current_tenant_id() and c.id = p_id;
    if not found then
        perform internal.not_found('client', p_id);
    end if;
    return p_id;
end;
$$;

drop function if exists api.create_contact(uuid, jsonb);
create or replace function api.create_contact(p_client_id uuid, p api.contact_create) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
    new_id uuid;
begin
    perform internal.require_access('contacts', 'insert');
    if not exists (
        select from app.clients as c where c.tenant_id = internal.current_tenant_id() and c.id = p_client_id
    ) then
        perform internal.not_found('client', p_client_id);
    end if;
    insert into app.contacts (tenant_id, client_id, name, role, phone, email, is_primary, portal_capabilities)
    values (
        internal.current_tenant_id(), p_client_id, p ->> 'name', p ->> 'role', p ->> 'phone', p ->> 'email',
        coalesce((p ->> 'is_primary')::boolean, false), internal.json_words(p -> 'portal_capabilities')
    ) returning id into new_id;
    return new_id;
end;
$$;

drop function if exists api.update_contact(uuid, jsonb);
create or replace function api.update_contact(p_id uuid, p api.contact_patch) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('contacts', 'update');
    update app.contacts as c set
        name = case when p ? 'name' then p ->> 'name' else c.name end,
        role = case when p ? 'role' then p ->> 'role' else c.role end,
        phone = case when p ? 'phone' then p ->> 'phone' else c.phone end,
        email = case when p ? 'email' then (p ->> 'email')::extensions.citext else c.email end,
        is_primary = case when p ? 'is_primary' then coalesce((p ->> 'is_primary')::boolean, false) else c.is_primary end,
        portal_capabilities = case
            when p ? 'portal_capabilities' then internal.json_words(p -> 'portal_capabilities')
            else c.portal_capabilities
        end
    where c.tenant_id = internal.current_tenant_id() and c.id = p_id;
    if not found then
        perform internal.not_found('contact', p_id);
    end if;
    return p_id;
end;
$$;

create or replace function api.archive_contact(p_id uuid) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('contacts', 'update');
    update app.contacts as c set archived_at = coalesce(c.archived_at, now()), is_primary = false
    where c.tenant_id = internal.current_tenant_id() and c.id = p_id;
    if not found then
        perform internal.not_found('contact', p_id);
    end if;
    return p_id;
end;
$$;

grant execute on function internal.not_found(text, uuid) to pgpsa_door_api;
