-- Clients and contacts as the team API shows them; the tax id only in clear for clients:tax_id holders.

create or replace view api.clients as
select
    c.id,
    c.account_code,
    c.name,
    c.channel,
    c.phone,
    c.email,
    c.billing_address,
    c.shipping_address,
    x.tax_id,
    c.created_at,
    c.updated_at,
    c.archived_at,
    c.portal_capabilities::text[] as portal_capabilities,
    c.tenant_id
from app.clients as c
left join internal.client_tax_ids as x on c.tenant_id = x.tenant_id and c.id = x.client_id;

create or replace view api.contacts as
select
    ct.id,
    ct.client_id,
    ct.name,
    ct.role,
    ct.phone,
    ct.email,
    ct.is_primary,
    ct.created_at,
    ct.updated_at,
    ct.archived_at,
    ct.portal_capabilities::text[] as portal_capabilities,
    ct.tenant_id
from app.contacts as ct;

comment on column api.clients.billing_address is 'Where invoices go. @shape api.address';
comment on column api.clients.shipping_address is 'Where goods go. @shape api.address';
comment on column api.clients.tax_id is 'Null unless the caller may read tax ids (clients:tax_id).';

-- A client's portal sessions (issue P): who signed in, how, from where, until when, and whether staff ended it.
create or replace view api.portal_sessions as
select
    s.id,
    s.client_id,
    s.contact_id,
    ct.name as contact_name,
    s.project_id,
    s.way_in,
    s.ip::text as ip,
    s.created_at,
    s.expires_at,
    s.last_seen_at,
    s.revoked_at,
    (s.revoked_at is null and s.expires_at > now()) as active,
    s.tenant_id
from app.portal_sessions as s
inner join app.contacts as ct on s.tenant_id = ct.tenant_id and s.contact_id = ct.id;
comment on view api.portal_sessions is
'Portal sessions of the firm''s client contacts; revoke them by contact or client.';

-- tenant_id: the key the service names in its reads (README, "Reads name their tenant"); never a field.
comment on column api.clients.tenant_id is '@internal';
comment on column api.contacts.tenant_id is '@internal';
comment on column api.portal_sessions.tenant_id is '@internal';
