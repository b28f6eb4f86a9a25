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

-- Arguments: the primary key columns, then the columns never copied into the log (secrets), comma-separated.
-- Statement-level over the transition tables, so a set-based write is audited by one insert, not a call per row.
-- Runs as the owner (security definer): no door and no request role may write the log, so none can forge a row;
-- each row names the login (session_user) and the request role the change was made under.
-- The per-row expressions (row key, secrets removed) are written into the statement once per call, so each row
-- costs one to_jsonb and one hash: billing 2,000 tasks audits them in tens of milliseconds.
create or replace function audit.tg__audit() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    row_key text := (
        select 'jsonb_build_object(' || string_agg(format('%L, r.j -> %L', k, k), ', ') || ')'
        from unnest(string_to_array(tg_argv[0], ',')) as k
    );
    secrets text := case when tg_argv[1] = '' then '' else format(' - %L::text[]', '{' || tg_argv[1] || '}') end;
    table_name text := tg_table_schema || '.' || tg_table_name;
begin
    if tg_op in ('INSERT', 'DELETE') then
        execute format($sql$
            insert into audit.audit_log (
                tenant_id, actor_user_id, actor_contact_id, db_login, db_role, request_id, ip, action, table_name,
                row_key, payload_hash, %s
            )
            select
                r.tenant_id, internal.current_user_id(), internal.current_contact_id(), session_user,
                internal.current_request_role(), internal.current_request_id(), internal.current_ip(), $1, $2, %s,
                encode(sha256(convert_to(r.j::text, 'UTF8')), 'hex'), r.j
            from (select t.tenant_id, to_jsonb(t)%s as j from %I as t) as r
        $sql$,
            case tg_op when 'INSERT' then 'new_values' else 'old_values' end, row_key, secrets,
            case tg_op when 'INSERT' then 'new_rows' else 'old_rows' end)
        using lower(tg_op), table_name;
    else
        -- Keep only what changed; an update that changes nothing leaves no trace.
        -- The JSON of each row is built once (materialized), not again for every key the diff looks at.
        execute format($sql$
            with r as materialized (
                select n.tenant_id, to_jsonb(o)%s as o, to_jsonb(n)%s as j
                from old_rows as o join new_rows as n using (%s)
            )
            insert into audit.audit_log (
                tenant_id, actor_user_id, actor_contact_id, db_login, db_role, request_id, ip, action, table_name,
                row_key, payload_hash, old_values, new_values
            )
            select
                r.tenant_id, internal.current_user_id(), internal.current_contact_id(), session_user,
                internal.current_request_role(), internal.current_request_id(), internal.current_ip(), 'update', $1, %s,
                encode(sha256(convert_to(r.j::text, 'UTF8')), 'hex'), d.old_values, d.new_values
            from r
            cross join lateral (
                select jsonb_object_agg(e.key, e.value) as old_values, jsonb_object_agg(e.key, r.j -> e.key) as new_values
                from jsonb_each(r.o) as e
                where e.value is distinct from r.j -> e.key and e.key <> 'updated_at'
            ) as d
            where d.old_values is not null
        $sql$, secrets, secrets,
            (select string_agg(quote_ident(k), ', ') from unnest(string_to_array(tg_argv[0], ',')) as k), row_key)
        using table_name;
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
