-- Shared trigger functions: updated_at, the audit trail, and the audit log's append-only guard.
-- db/policies/0100_tenant_tables.sql attaches the first two to every tenant table.

create or replace function internal.tg__touch_updated_at() returns trigger
language plpgsql set search_path = ''
as $$
begin
    if new is distinct from old then
        new.updated_at := now();
    end if;
    return new;
end;
$$;

-- Status lifecycles are lookup tables (from_status, to_status), typed by the status vocabulary. NULL when
-- p_from -> p_to is one of p_transitions' rows; otherwise the refusal's hint, the moves p_from allows in the
-- vocabulary's order: "Allowed from pending: in_production, on_hold, cancelled."
create or replace function internal.transition_refusal(p_transitions regclass, p_from text, p_to text) returns text
language plpgsql stable set search_path = ''
as $$
declare
    allowed boolean;
    moves text;
    -- The words of to_status's domain (its check lists them in lifecycle order, as 0014 states each vocabulary).
    words text[] := (
        select substring(pg_catalog.pg_get_constraintdef(c.oid) from '''(\{[^'']*\})''')::text[]
        from pg_catalog.pg_attribute as a
        inner join pg_catalog.pg_constraint as c on a.atttypid = c.contypid and c.contype = 'c'
        where a.attrelid = p_transitions and a.attname = 'to_status'
        limit 1
    );
begin
    execute format(
        'select bool_or(t.to_status = $2), string_agg(t.to_status, '', '' '
        'order by array_position($3, t.to_status::text), t.to_status) '
        'from %s as t where t.from_status = $1', p_transitions
    ) into allowed, moves using p_from, p_to, words;
    if allowed then
        return null;
    end if;
    return format('Allowed from %s: %s.', p_from, coalesce(moves, 'nothing (it is final)'));
end;
$$;

-- A derived log is written only by triggers, from changes that are audited themselves: it is never changed.
create or replace function internal.tg__derived_log() returns trigger
language plpgsql set search_path = ''
as $$
begin
    if tg_op = 'DELETE' and pg_trigger_depth() > 1 then
        -- Called from a trigger: a foreign key cascade from the row it derives from, whose deletion is audited.
        return old;
    end if;
    raise exception using
        errcode = 'PT403',
        message = format('%s is an append-only log: its rows cannot be changed or deleted.', tg_table_name);
end;
$$;

-- A row's key in the audit log: its primary key columns, by name, from the row's JSON. Plain SQL with no subquery,
-- so the audit statements inline it: a key of (tenant_id, id), most tables', costs no call; any other key is built
-- by audit.any_row_key (a subquery a row: about 11 us, a tenth of auditing an update of 2,000 rows).
create or replace function audit.any_row_key(p_row jsonb, p_keys text[]) returns jsonb
language sql stable
begin atomic
    select jsonb_object_agg(c.name, p_row -> c.name) from unnest(p_keys) as c (name);
end;

create or replace function audit.row_key(p_row jsonb, p_keys text[]) returns jsonb
language sql stable
begin atomic
    select case
        when p_keys = '{tenant_id,id}' then jsonb_build_object('tenant_id', p_row -> 'tenant_id', 'id', p_row -> 'id')
        else audit.any_row_key(p_row, p_keys)
    end;
end;

-- Arguments: the primary key columns, then the columns never copied into the log (secrets), comma-separated.
-- Statement-level over the transition tables, so a set-based write is audited by one insert, not a call per row.
-- Runs as the owner (security definer): no door and no request role may write the log, so none can forge a row;
-- each row names the login (session_user) and the request role the change was made under.
-- Static SQL, not EXECUTE: PL/pgSQL keeps a trigger function's plans per table, so each table's audit statements are
-- planned once a session; built and planned again at every call they cost about 0.6 ms a write. Each row costs one
-- to_jsonb (offset 0 keeps the subquery whole, or each use of j would build it again) and one hash; an update's old
-- and new rows are paired by their key (audit.row_key).
create or replace function audit.tg__audit() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    keys text[] := string_to_array(tg_argv[0], ',');
    secrets text[] := string_to_array(nullif(tg_argv[1], ''), ',');
    table_name text := tg_table_schema || '.' || tg_table_name;
begin
    -- An insert and a delete are two statements, not one: static SQL names the transition table its trigger has (an
    -- insert trigger has no old_rows), and EXECUTE would plan it again at every call.
    if tg_op = 'INSERT' then
        insert into audit.audit_log (
            tenant_id, actor_user_id, actor_contact_id, db_login, db_role, request_id, ip, action, table_name,
            row_key, payload_hash, new_values
        )
        select
            r.tenant_id, internal.current_user_id(), internal.current_contact_id(), session_user,
            internal.current_request_role(), internal.current_request_id(), internal.current_ip(), 'insert',
            table_name, audit.row_key(r.j, keys), encode(sha256(convert_to(r.j::text, 'UTF8')), 'hex'), r.j
        from (select t.tenant_id, to_jsonb(t) - coalesce(secrets, '{}') as j from new_rows as t offset 0) as r;
    elsif tg_op = 'DELETE' then
        insert into audit.audit_log (
            tenant_id, actor_user_id, actor_contact_id, db_login, db_role, request_id, ip, action, table_name,
            row_key, payload_hash, old_values
        )
        select
            r.tenant_id, internal.current_user_id(), internal.current_contact_id(), session_user,
            internal.current_request_role(), internal.current_request_id(), internal.current_ip(), 'delete',
            table_name, audit.row_key(r.j, keys), encode(sha256(convert_to(r.j::text, 'UTF8')), 'hex'), r.j
        from (select t.tenant_id, to_jsonb(t) - coalesce(secrets, '{}') as j from old_rows as t offset 0) as r;
    else
        -- Keep only what changed; an update that changes nothing leaves no trace.
        -- The JSON of each row is built once (materialized), not again for every key the diff looks at.
        with o as materialized (
            select x.j, audit.row_key(x.j, keys) as k
            from (select to_jsonb(t) - coalesce(secrets, '{}') as j from old_rows as t offset 0) as x
        ),

        n as materialized (
            select x.tenant_id, x.j, audit.row_key(x.j, keys) as k
            from (select t.tenant_id, to_jsonb(t) - coalesce(secrets, '{}') as j from new_rows as t offset 0) as x
        )

        insert into audit.audit_log (
            tenant_id, actor_user_id, actor_contact_id, db_login, db_role, request_id, ip, action, table_name,
            row_key, payload_hash, old_values, new_values
        )
        select
            n.tenant_id, internal.current_user_id(), internal.current_contact_id(), session_user,
            internal.current_request_role(), internal.current_request_id(), internal.current_ip(), 'update',
            table_name, n.k, encode(sha256(convert_to(n.j::text, 'UTF8')), 'hex'), d.old_values, d.new_values
        from o
        inner join n on o.k = n.k
        cross join lateral (
            select jsonb_object_agg(e.key, e.value) as old_values, jsonb_object_agg(e.key, n.j -> e.key) as new_values
            from jsonb_each(o.j) as e
            where e.value is distinct from n.j -> e.key and e.key <> 'updated_at'
        ) as d
        where d.old_values is not null;
    end if;
    return null;
end;
$$;

create or replace function audit.tg_audit_log__append_only() returns trigger
language plpgsql set search_path = ''
as $$
begin
    raise exception using
        errcode = 'PT403',
        message = 'The audit log is append-only: its rows cannot be changed or deleted.';
end;
$$;

drop trigger if exists trg_audit_log_100_append_only on audit.audit_log;
create trigger trg_audit_log_100_append_only before update or delete on audit.audit_log
for each row execute function audit.tg_audit_log__append_only();
drop trigger if exists trg_audit_log_100_no_truncate on audit.audit_log;
create trigger trg_audit_log_100_no_truncate before truncate on audit.audit_log
for each statement execute function audit.tg_audit_log__append_only();

grant execute on function internal.transition_refusal(regclass, text, text) to pgpsa_door_api;
