-- Request context: who a request acts for. Plain SQL bodies with no SET clause, so the planner inlines them into
-- policies (no per-row function call).
--
-- Trust: the service's login (pgpsa_service) authenticates every request and says who it acts for with SET LOCAL
-- pgpsa.*; so may the owner and a superuser, acting as itself or as the owner (migrations, a DBA, the tests: only a
-- superuser can become the owner, whose role nobody is granted). Every other login is
-- bound by its own name (bi_<tenant hex>_<label>, app_<tenant hex>_<label>, made by internal.create_db_login):
-- whatever it SETs, its tenant comes from session_user, which no SET can change, and an app login acts as the user
-- md5(login)::uuid. Any other session acts for nobody: it reads nothing and writes nothing.

create or replace function internal.trusted_session() returns boolean
language sql stable parallel safe
begin atomic
    select
        session_user in ('pgpsa_service', 'pgpsa_owner')
        or current_setting('is_superuser') = 'on'
        or current_setting('role') = 'pgpsa_owner';
end;

-- The tenant a bound login's name carries; NULL for any other name: ^(bi|app)_[0-9a-f]{32}_[a-z0-9]{1,26}$, said
-- without counted repeats. Policies inline it, and where the tenant is a filter rather than an index condition (a
-- seq scan, a CTE scan) it runs once a row: a regex with {32} costs about 5 us a row, this about 1.
create or replace function internal.login_tenant_id(p_login name) returns uuid
language sql immutable parallel safe
begin atomic
    select case
        when
            p_login::text ~ '^(bi|app)_[0-9a-f]+_[a-z0-9]+$'
            and length(split_part(p_login::text, '_', 2)) = 32
            and length(split_part(p_login::text, '_', 3)) <= 26
            then split_part(p_login::text, '_', 2)::uuid
    end;
end;

create or replace function internal.current_tenant_id() returns uuid
language sql stable parallel safe
begin atomic
    select case
        when internal.trusted_session() then nullif(current_setting('pgpsa.tenant_id', true), '')::uuid
        else internal.login_tenant_id(session_user)
    end;
end;

create or replace function internal.current_user_id() returns uuid
language sql stable parallel safe
begin atomic
    select case
        when internal.trusted_session() then nullif(current_setting('pgpsa.user_id', true), '')::uuid
        when session_user::text like 'app\_%' and internal.login_tenant_id(session_user) is not null
            then md5(session_user::text)::uuid
    end;
end;

-- A client contact (portal) is only ever named by the service.
create or replace function internal.current_client_id() returns uuid
language sql stable parallel safe
begin atomic
    select case when internal.trusted_session() then nullif(current_setting('pgpsa.client_id', true), '')::uuid end;
end;

create or replace function internal.current_contact_id() returns uuid
language sql stable parallel safe
begin atomic
    select case when internal.trusted_session() then nullif(current_setting('pgpsa.contact_id', true), '')::uuid end;
end;

create or replace function internal.current_ip() returns inet
language sql stable parallel safe
begin atomic
    select case when internal.trusted_session() then nullif(current_setting('pgpsa.ip', true), '')::inet end;
end;

create or replace function internal.current_request_id() returns text
language sql stable parallel safe
begin atomic
    select case when internal.trusted_session() then nullif(current_setting('pgpsa.request_id', true), '') end;
end;

-- The request role a change was made under, for the audit log: SET ROLE's setting survives security definer
-- calls, so it still names the request's role inside the owner-run audit trigger; a bound login sets none.
create or replace function internal.current_request_role() returns name
language sql stable parallel safe
begin atomic
    select coalesce(nullif(current_setting('role'), 'none'), session_user)::name;
end;

-- Policies and door views call these on behalf of every caller; db/policies/9000_doors.sql grants them to the
-- request roles too.
grant execute on function internal.trusted_session(), internal.login_tenant_id(name), internal.current_tenant_id(),
internal.current_user_id(), internal.current_client_id(), internal.current_contact_id(), internal.current_ip(),
internal.current_request_id(), internal.current_request_role()
to pgpsa_door_api, pgpsa_door_bi;
