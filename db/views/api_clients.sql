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
    c.archived_at
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
    ct.archived_at
from app.contacts as ct;

comment on column api.clients.billing_address is 'Where invoices go. @shape api.address';
comment on column api.clients.shipping_address is 'Where goods go. @shape api.address';
comment on column api.clients.tax_id is 'Null unless the caller may read tax ids (clients:tax_id).';
