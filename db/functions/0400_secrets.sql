-- Encryption of sensitive columns with pgcrypto and the installation key; decryption only behind a permission.

create or replace function internal.encrypt_secret(p_plain text) returns bytea
language sql volatile security definer set search_path = ''
begin atomic
    select extensions.pgp_sym_encrypt(p_plain, s.value)
    from internal.settings as s
    where s.name = 'data_key' and p_plain is not null;
end;

create or replace function internal.decrypt_secret(p_cipher bytea) returns text
language sql stable security definer set search_path = ''
begin atomic
    select extensions.pgp_sym_decrypt(p_cipher, s.value)
    from internal.settings as s
    where s.name = 'data_key' and p_cipher is not null;
end;

-- A client's tax id in clear for a user with clients:tax_id (finance, manager, admin); NULL for anyone else.
create or replace function internal.client_tax_id(p_client_id uuid) returns text
language sql stable security definer set search_path = ''
begin atomic
    select internal.decrypt_secret(c.tax_id_encrypted)
    from app.clients as c
    where
        c.tenant_id = internal.current_tenant_id()
        and c.id = p_client_id
        and internal.has_permission('clients:tax_id');
end;

grant execute on function internal.encrypt_secret(text), internal.client_tax_id(uuid) to pgpsa_staff;
