-- The portal's ways in (seed 000 share link + code, seed 003 §4.1 magic link) and the session every portal request
-- checks. Sign-in runs before any tenant is known: each function finds its tenant from what the caller sent (a
-- token's first 32 hex, or the contact directory for an email), runs as the owner, for pgpsa_anon only, answers the
-- same whether the address is known or not, and leaves the caller's context as it found it.

-- The portal's request context, set by the service (pgpsa.portal_session_id, pgpsa.project_id) and by
-- portal.check_session (what the session reaches and may do), read by the portal door's policies.
create or replace function internal.current_portal_session_id() returns uuid
language sql stable parallel safe
begin atomic
    select
        case
            when internal.trusted_session() then nullif(current_setting('pgpsa.portal_session_id', true), '')::uuid
        end;
end;

create or replace function internal.current_portal_project_id() returns uuid
language sql stable parallel safe
begin atomic
    select case when internal.trusted_session() then nullif(current_setting('pgpsa.project_id', true), '')::uuid end;
end;

-- The projects and orders the session reaches: a list, so a policy compares a row's key with it (an index
-- condition) instead of looking anything up per row.
create or replace function internal.portal_project_ids() returns uuid[]
language sql stable parallel safe
begin atomic
    select case
        when
            internal.trusted_session()
            then coalesce(nullif(current_setting('pgpsa.portal_project_ids', true), ''), '{}')::uuid[]
    end;
end;

create or replace function internal.portal_task_ids() returns uuid[]
language sql stable parallel safe
begin atomic
    select case
        when internal.trusted_session()
            then coalesce(nullif(current_setting('pgpsa.portal_task_ids', true), ''), '{}')::uuid[]
    end;
end;

create or replace function internal.portal_order_ids() returns uuid[]
language sql stable parallel safe
begin atomic
    select case
        when
            internal.trusted_session()
            then coalesce(nullif(current_setting('pgpsa.portal_order_ids', true), ''), '{}')::uuid[]
    end;
end;

create or replace function internal.portal_capabilities() returns text[]
language sql stable parallel safe
begin atomic
    select case
        when
            internal.trusted_session()
            then coalesce(nullif(current_setting('pgpsa.portal_capabilities', true), ''), '{}')::text[]
    end;
end;

create or replace function internal.portal_can(p_capability text) returns boolean
language sql stable parallel safe
begin atomic
    select coalesce(p_capability = any(internal.portal_capabilities()), false);
end;

-- The contact directory follows app.contacts (an archived contact, or one without an email, is not found).
create or replace function internal.tg_contacts__directory() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        delete from internal.contact_directory as d where d.tenant_id = old.tenant_id and d.contact_id = old.id;
    end if;
    if tg_op in ('INSERT', 'UPDATE') and new.email is not null and new.archived_at is null then
        insert into internal.contact_directory (email, tenant_id, contact_id) values (new.email, new.tenant_id, new.id)
        on conflict do nothing;
    end if;
    return null;
end;
$$;

drop trigger if exists trg_contacts_800_directory on app.contacts;
create trigger trg_contacts_800_directory after insert or update of email, archived_at or delete on app.contacts
for each row execute function internal.tg_contacts__directory();

-- One more request by this subject; true when it is over its limit for the window (the request then does nothing).
-- Requests of one subject take turns (a transaction-level advisory lock on it): otherwise parallel requests each
-- count only their own row, not the others' uncommitted ones, and twenty at once all pass a limit of five.
create or replace function internal.portal_hit(p_subject text, p_limit integer, p_window interval) returns boolean
language plpgsql volatile security definer set search_path = ''
as $$
declare
    recent integer;
begin
    perform pg_advisory_xact_lock(hashtextextended('portal_throttle:' || p_subject, 0));
    delete from internal.portal_throttle as t where t.subject = p_subject and t.at < now() - p_window;
    -- A subject that never comes back would keep its rows for ever: each hit also clears up to 20 rows of any subject
    -- past a day (every window is shorter), so the table holds about a day of requests (index: migration 0027).
    delete from internal.portal_throttle as t where t.ctid = any(array(
        select x.ctid from internal.portal_throttle as x where x.at < now() - interval '1 day'
        limit 20 for update skip locked
    ));
    insert into internal.portal_throttle (subject) values (p_subject);
    select count(*) into recent from internal.portal_throttle as t where t.subject = p_subject;
    return recent > p_limit;
end;
$$;

-- The limits: per address and per email, for asking (mails) and for trying (codes, links).
-- Asking mails something, so an email is asked for 5 times in 15 minutes; trying is bounded by the code's own 5
-- tries, so 20 per email; an address 30 times either way.
create or replace function internal.portal_throttled(p_kind text, p_email text, p_ip text) returns boolean
language sql volatile security definer set search_path = ''
begin atomic
    select bool_or(hit) from (
        select internal.portal_hit(p_kind || ':ip:' || coalesce(p_ip, ''), 30, interval '15 minutes') as hit
        union all
        select
            internal.portal_hit(
                p_kind || ':email:' || lower(coalesce(p_email, '')),
                case when p_kind in ('code', 'link') then 5 else 20 end,
                interval '15 minutes'
            )
        where p_email is not null
    ) as h;
end;

-- A code's HMAC: keyed with the installation key and bound to its own row, so a leaked table reveals no code.
create or replace function internal.portal_code_hmac(p_code_id uuid, p_code text) returns text
language sql stable security definer set search_path = ''
begin atomic
    select encode(extensions.hmac(p_code_id::text || ':' || p_code, s.value || ':portal-code', 'sha256'), 'hex')
    from internal.settings as s
    where s.name = 'data_key';
end;

-- What a contact may do on the portal: its own list, or its client's default; nothing once archived.
create or replace function internal.portal_capabilities_of(p_contact_id uuid) returns text[]
language sql stable security definer set search_path = ''
begin atomic
    select coalesce(c.portal_capabilities, cl.portal_capabilities)::text[]
    from app.contacts as c
    inner join app.clients as cl on c.tenant_id = cl.tenant_id and c.client_id = cl.id
    where
        c.tenant_id = internal.current_tenant_id() and c.id = p_contact_id
        and c.archived_at is null and cl.archived_at is null;
end;

create or replace function internal.inet_or_null(p_ip text) returns inet
language plpgsql immutable set search_path = ''
as $$
begin
    return p_ip::inet;
exception when others then
    return null;
end;
$$;

-- A new session for a contact, from a code (with its project) or a magic link; 12 hours.
create or replace function internal.open_portal_session(
    p_contact_id uuid, p_project_id uuid, p_way_in text, p_ip text
) returns table (
    outcome text, session_id uuid, tenant_id uuid, client_id uuid, contact_id uuid, project_id uuid,
    expires_at timestamptz
)
language sql volatile security definer set search_path = ''
begin atomic
    insert into app.portal_sessions as s (tenant_id, client_id, contact_id, project_id, way_in, ip, expires_at)
    select
        c.tenant_id,
        c.client_id,
        c.id,
        p_project_id,
        p_way_in,
        internal.inet_or_null(p_ip) as ip,
        now() + interval '12 hours' as expires_at
    from app.contacts as c
    where c.tenant_id = internal.current_tenant_id() and c.id = p_contact_id
    returning 'ok', s.id, s.tenant_id, s.client_id, s.contact_id, s.project_id, s.expires_at;
end;

-- A refusal row (the caller commits it: a wrong try must count even though the answer is an error).
create or replace function internal.portal_refusal(p_outcome text) returns table (
    outcome text, session_id uuid, tenant_id uuid, client_id uuid, contact_id uuid, project_id uuid,
    expires_at timestamptz
)
language sql immutable
begin atomic
    select
        p_outcome,
        null::uuid,
        null::uuid,
        null::uuid,
        null::uuid,
        null::uuid,
        null::timestamptz;
end;

-- A magic link to every tenant's contact at this address (seed 003 §4.1). True: throttled (nothing sent).
create or replace function portal.request_magic_link(p_email text, p_ip text) returns boolean
language plpgsql volatile security definer set search_path = ''
as $$
declare
    caller_tenant text := current_setting('pgpsa.tenant_id', true);
    d record;
    link_token text;
    link_id uuid;
begin
    if internal.portal_throttled('link', p_email, p_ip) then
        return true;
    end if;
    for d in select x.tenant_id, x.contact_id from internal.contact_directory as x where x.email = p_email::extensions.citext loop
        perform set_config('pgpsa.tenant_id', d.tenant_id::text, true);
        if 'view' = any(internal.portal_capabilities_of(d.contact_id)) then
            link_token := replace(d.tenant_id::text, '-', '') || encode(extensions.gen_random_bytes(32), 'hex');
            insert into app.portal_magic_links (tenant_id, contact_id, token_hash, token_encrypted, expires_at)
            values (d.tenant_id, d.contact_id, internal.token_hash(link_token), internal.encrypt_secret(link_token),
                now() + interval '15 minutes')
            returning id into link_id;
            perform internal.queue_mail(null, 'portal_magic_link:' || link_id, c.email, c.name, 'portal_magic_link',
                jsonb_build_object('magic_link_id', link_id))
            from app.contacts as c where c.tenant_id = d.tenant_id and c.id = d.contact_id;
        end if;
    end loop;
    perform set_config('pgpsa.tenant_id', coalesce(caller_tenant, ''), true);
    return false;
end;
$$;

-- The project a share token names (its tenant is the token's first 32 hex), with the tenant set; null if none.
create or replace function internal.shared_project(p_share_token text) returns app.projects
language plpgsql volatile security definer set search_path = ''
as $$
declare
    found_project app.projects;
begin
    if coalesce(p_share_token, '') !~ '^[0-9a-f]{96}$' then
        return null;
    end if;
    perform set_config('pgpsa.tenant_id', left(p_share_token, 32)::uuid::text, true);
    select * into found_project from app.projects as p
    where p.tenant_id = left(p_share_token, 32)::uuid and p.share_token_hash = internal.token_hash(p_share_token);
    return found_project;
end;
$$;

-- A 6-digit code for a contact of the shared project's client (seed 000). True: throttled (nothing sent).
create or replace function portal.request_code(p_share_token text, p_email text, p_ip text) returns boolean
language plpgsql volatile security definer set search_path = ''
as $$
declare
    caller_tenant text := current_setting('pgpsa.tenant_id', true);
    shared app.projects;
    who record;
    code text;
    code_id uuid := gen_random_uuid();
begin
    if internal.portal_throttled('code', p_email, p_ip) then
        return true;
    end if;
    shared := internal.shared_project(p_share_token);
    select c.id, c.email, c.name into who from app.contacts as c
    where c.tenant_id = shared.tenant_id and c.client_id = shared.client_id and c.email = p_email::extensions.citext
      and c.archived_at is null
    order by c.created_at limit 1;
    if who.id is not null and 'view' = any(internal.portal_capabilities_of(who.id)) then
        code := lpad((('x' || encode(extensions.gen_random_bytes(4), 'hex'))::bit(32)::bigint % 1000000)::text, 6, '0');
        insert into app.portal_codes (tenant_id, id, project_id, contact_id, code_hmac, code_encrypted, expires_at)
        values (shared.tenant_id, code_id, shared.id, who.id, internal.portal_code_hmac(code_id, code),
            internal.encrypt_secret(code), now() + interval '10 minutes');
        perform internal.record_event('portal.code_issued', 'project', shared.id, jsonb_build_object('contact_id', who.id));
        perform internal.queue_mail(null, 'portal_code:' || code_id, who.email, who.name, 'portal_code',
            jsonb_build_object('portal_code_id', code_id, 'project_name', shared.name,
                'expires_at', internal.mail_time(now() + interval '10 minutes')));
    end if;
    perform set_config('pgpsa.tenant_id', coalesce(caller_tenant, ''), true);
    return false;
end;
$$;

-- The code exchanged for a session scoped to the shared project. Outcomes: ok, wrong, locked (5 wrong tries),
-- expired, used, unknown, throttled.
create or replace function portal.verify_code(p_share_token text, p_email text, p_code text, p_ip text)
returns table (
    outcome text, session_id uuid, tenant_id uuid, client_id uuid, contact_id uuid, project_id uuid,
    expires_at timestamptz
)
language plpgsql volatile security definer set search_path = ''
as $$
declare
    caller_tenant text := current_setting('pgpsa.tenant_id', true);
    shared app.projects;
    c app.portal_codes;
begin
    if internal.portal_throttled('verify', p_email, p_ip) then
        return query select * from internal.portal_refusal('throttled');
        return;
    end if;
    shared := internal.shared_project(p_share_token);
    select pc.* into c from app.portal_codes as pc
    inner join app.contacts as ct on pc.tenant_id = ct.tenant_id and pc.contact_id = ct.id
    where pc.tenant_id = shared.tenant_id and pc.project_id = shared.id and ct.email = p_email::extensions.citext
    order by pc.created_at desc limit 1
    for update of pc;
    if c.id is null then  -- answered as a wrong code: 'unknown' would tell a contact's address from any other
        return query select * from internal.portal_refusal('wrong');
    elsif c.used_at is not null then
        return query select * from internal.portal_refusal('used');
    elsif c.wrong_tries >= 5 then
        return query select * from internal.portal_refusal('locked');
    elsif c.expires_at < now() then
        return query select * from internal.portal_refusal('expired');
    elsif coalesce(p_code, '') !~ '^[0-9]{6}$' or internal.portal_code_hmac(c.id, p_code) <> c.code_hmac then
        update app.portal_codes as pc set wrong_tries = pc.wrong_tries + 1
        where pc.tenant_id = c.tenant_id and pc.id = c.id;
        return query select * from internal.portal_refusal(case when c.wrong_tries + 1 >= 5 then 'locked' else 'wrong' end);
    elsif not 'view' = any(coalesce(internal.portal_capabilities_of(c.contact_id), '{}')) then
        return query select * from internal.portal_refusal('unknown');
    else
        update app.portal_codes as pc set used_at = now(), code_encrypted = null
        where pc.tenant_id = c.tenant_id and pc.id = c.id;
        return query select * from internal.open_portal_session(c.contact_id, c.project_id, 'code', p_ip);
    end if;
    perform set_config('pgpsa.tenant_id', coalesce(caller_tenant, ''), true);
end;
$$;

-- A magic link's token exchanged for a session (the contact's whole client). Outcomes: ok, used, expired, unknown,
-- throttled.
create or replace function portal.exchange_magic_link(p_token text, p_ip text)
returns table (
    outcome text, session_id uuid, tenant_id uuid, client_id uuid, contact_id uuid, project_id uuid,
    expires_at timestamptz
)
language plpgsql volatile security definer set search_path = ''
as $$
declare
    caller_tenant text := current_setting('pgpsa.tenant_id', true);
    l app.portal_magic_links;
begin
    if internal.portal_throttled('exchange', null, p_ip) then
        return query select * from internal.portal_refusal('throttled');
        return;
    end if;
    if coalesce(p_token, '') ~ '^[0-9a-f]{96}$' then
        perform set_config('pgpsa.tenant_id', left(p_token, 32)::uuid::text, true);
        select ml.* into l from app.portal_magic_links as ml
        where ml.tenant_id = left(p_token, 32)::uuid and ml.token_hash = internal.token_hash(p_token)
        for update;
    end if;
    if l.id is null then
        return query select * from internal.portal_refusal('unknown');
    elsif l.used_at is not null then
        return query select * from internal.portal_refusal('used');
    elsif l.expires_at < now() then
        return query select * from internal.portal_refusal('expired');
    elsif not 'view' = any(coalesce(internal.portal_capabilities_of(l.contact_id), '{}')) then
        return query select * from internal.portal_refusal('unknown');
    else
        update app.portal_magic_links as ml set used_at = now(), token_encrypted = null
        where ml.tenant_id = l.tenant_id and ml.id = l.id;
        return query select * from internal.open_portal_session(l.contact_id, null, 'magic_link', p_ip);
    end if;
    perform set_config('pgpsa.tenant_id', coalesce(caller_tenant, ''), true);
end;
$$;

-- Every portal request starts here (the service calls it after SET ROLE pgpsa_portal): the session must be the
-- context's, live and not revoked, its contact active with the view capability. It then states what the session
-- reaches (its projects and orders) and may do, for the policies of the portal door.
create or replace function portal.check_session() returns void
language plpgsql volatile set search_path = ''
as $$
declare
    s app.portal_sessions;
    can text [];
begin
    select * into s from app.portal_sessions as x
    where x.tenant_id = internal.current_tenant_id() and x.id = internal.current_portal_session_id();
    if s.id is null or s.revoked_at is not null or s.expires_at <= now() or s.contact_id <> internal.current_contact_id()
        or s.client_id <> internal.current_client_id()
        or s.project_id is distinct from internal.current_portal_project_id() then
        raise exception using errcode = 'PT401', message = 'Your portal session has ended: sign in again.';
    end if;
    select coalesce(c.portal_capabilities, cl.portal_capabilities) into can
    from app.contacts as c inner join app.clients as cl on c.tenant_id = cl.tenant_id and c.client_id = cl.id
    where c.tenant_id = s.tenant_id and c.id = s.contact_id and c.archived_at is null and cl.archived_at is null;
    if not coalesce('view' = any(can), false) then
        raise exception using errcode = 'PT401', message = 'This portal access has been withdrawn.',
            hint = 'Ask the studio to give you access again.';
    end if;
    perform set_config('pgpsa.portal_capabilities', can::text, true);
    perform set_config('pgpsa.portal_project_ids', coalesce((
        select array_agg(p.id)::text from app.projects as p
        where p.tenant_id = s.tenant_id and p.client_id = s.client_id and (s.project_id is null or p.id = s.project_id)
    ), '{}'), true);
    -- The tasks the client is shown, for the comments policy.
    perform set_config('pgpsa.portal_task_ids', coalesce((
        select array_agg(t.id)::text from app.tasks as t
        where t.tenant_id = s.tenant_id and t.client_visible
          and t.project_id = any(current_setting('pgpsa.portal_project_ids')::uuid[])
    ), '{}'), true);
    -- A share link's session reaches its project's order; a client's session every order of the client (the
    -- orders policy reads the list only for the former).
    perform set_config('pgpsa.portal_order_ids', coalesce((
        select array_agg(p.order_id)::text from app.projects as p
        where p.tenant_id = s.tenant_id and p.id = s.project_id and p.order_id is not null
    ), '{}'), true);
    if s.last_seen_at is null or s.last_seen_at < now() - interval '5 minutes' then
        update app.portal_sessions as x set last_seen_at = now() where x.tenant_id = s.tenant_id and x.id = s.id;
    end if;
end;
$$;
