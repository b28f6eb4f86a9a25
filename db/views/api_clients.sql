-- Clients and contacts as the team API shows them; the tax id only in clear for clients:tax_id holders.

create or replace view api.clients with (security_invoker = true) as
select
    c.id,
    c.account_code,
    c.name,
    c.channel,
    c.phone,
    c.email,
    c.billing_address,
    c.shipping_address,
    internal.client_tax_id(c.id) as tax_id,
    c.created_at,
    c.updated_at,
    c.archived_at
from app.clients as c;

create or replace view api.contacts with (security_invoker = true) as
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

grant select on api.clients, api.contacts to pgpsa_staff;
