-- Request context: the service sets pgpsa.* with SET LOCAL per transaction; these helpers read it.
-- Plain SQL bodies with no SET clause, so the planner inlines them into policies (no per-row function call).

create or replace function internal.current_tenant_id() returns uuid
language sql stable parallel safe
begin atomic
    select nullif(current_setting('pgpsa.tenant_id', true), '')::uuid;
end;

create or replace function internal.current_user_id() returns uuid
language sql stable parallel safe
begin atomic
    select nullif(current_setting('pgpsa.user_id', true), '')::uuid;
end;

create or replace function internal.current_client_id() returns uuid
language sql stable parallel safe
begin atomic
    select nullif(current_setting('pgpsa.client_id', true), '')::uuid;
end;

create or replace function internal.current_contact_id() returns uuid
language sql stable parallel safe
begin atomic
    select nullif(current_setting('pgpsa.contact_id', true), '')::uuid;
end;

create or replace function internal.current_ip() returns inet
language sql stable parallel safe
begin atomic
    select nullif(current_setting('pgpsa.ip', true), '')::inet;
end;

create or replace function internal.current_request_id() returns text
language sql stable parallel safe
begin atomic
    select nullif(current_setting('pgpsa.request_id', true), '');
end;

-- A BI login's tenant comes from its binding, never from a setting it could change itself.
create or replace function internal.bi_tenant_id(p_login name) returns uuid
language sql stable security definer set search_path = ''
begin atomic
    select b.tenant_id from internal.bi_logins as b
    where b.login = p_login;
end;

grant usage on schema internal to pgpsa_staff, pgpsa_portal, pgpsa_bi;
grant execute on function internal.current_tenant_id(), internal.current_user_id(), internal.current_client_id(),
internal.current_contact_id(), internal.current_ip(), internal.current_request_id()
to pgpsa_staff, pgpsa_portal, pgpsa_bi;
grant execute on function internal.bi_tenant_id(name) to pgpsa_bi;
