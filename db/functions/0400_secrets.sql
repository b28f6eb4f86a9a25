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

-- A client's tax id in clear is read through the owner view internal.client_tax_ids (db/views).
drop function if exists internal.client_tax_id(uuid) cascade;  -- api.clients is made again by its file

grant execute on function internal.encrypt_secret(text) to pgpsa_door_api;
