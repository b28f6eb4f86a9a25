-- Grants on clients and contacts to the api door: clients:read to see, clients:write to change, nobody deletes
-- (the permission policies come from 0110_permissions.sql).

-- tax_id_encrypted is written (through api functions) but never selected by the door: internal.client_tax_ids,
-- an owner view, decrypts it for holders of clients:tax_id.
grant select (
    tenant_id, id, account_code, name, channel, phone, email, billing_address, shipping_address,
    created_at, updated_at, archived_at, portal_capabilities
) on app.clients to pgpsa_door_api;
grant insert (
    tenant_id, account_code, name, channel, phone, email, billing_address, shipping_address, tax_id_encrypted,
    portal_capabilities
) on app.clients to pgpsa_door_api;
grant update (
    account_code, name, channel, phone, email, billing_address, shipping_address, tax_id_encrypted, archived_at,
    portal_capabilities
) on app.clients to pgpsa_door_api;
grant select, insert (tenant_id, client_id, name, role, phone, email, is_primary, portal_capabilities),
update (name, role, phone, email, is_primary, archived_at, portal_capabilities) on app.contacts to pgpsa_door_api;

grant select (tenant_id, id, account_code, name, channel, created_at, archived_at) on app.clients to pgpsa_door_bi;
