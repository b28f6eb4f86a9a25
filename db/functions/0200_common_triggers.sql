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

-- Arguments: the primary key columns, then the columns never copied into the log (secrets), comma-separated.
-- Statement-level over the transition tables, so a set-based write is audited by one insert, not a call per row.
-- Runs as the writer (security invoker), so the log rows are added with the writer's role and tenant.
create or replace function audit.tg__audit() returns trigger
language plpgsql set search_path = ''
as $$
declare
    key_columns text[] := string_to_array(tg_argv[0], ',');
    secret_columns text[] := coalesce(string_to_array(nullif(tg_argv[1], ''), ','), '{}');
    table_name text := tg_table_schema || '.' || tg_table_name;
begin
    if tg_op in ('INSERT', 'DELETE') then
        execute format($sql$
            insert into audit.audit_log (
                tenant_id, actor_user_id, actor_contact_id, request_id, ip, action, table_name, row_key,
                payload_hash, old_values, new_values
            )
            select
                (r.j ->> 'tenant_id')::uuid, internal.current_user_id(), internal.current_contact_id(),
                internal.current_request_id(), internal.current_ip(), $1, $2,
                (select jsonb_object_agg(k, r.j -> k) from unnest($3) as k),
                encode(sha256(convert_to(r.j::text, 'UTF8')), 'hex'),
                case when $1 = 'delete' then r.j end, case when $1 = 'insert' then r.j end
            from (select to_jsonb(t) - $4 as j from %I as t) as r
        $sql$, case tg_op when 'INSERT' then 'new_rows' else 'old_rows' end)
        using lower(tg_op), table_name, key_columns, secret_columns;
    else
        -- Keep only what changed; an update that changes nothing leaves no trace.
        -- The JSON of each row is built once (materialized), not again for every key the diff looks at.
        execute format($sql$
            with r as materialized (
                select to_jsonb(o) - $3 as o, to_jsonb(n) - $3 as n
                from old_rows as o join new_rows as n using (%s)
            )
            insert into audit.audit_log (
                tenant_id, actor_user_id, actor_contact_id, request_id, ip, action, table_name, row_key,
                payload_hash, old_values, new_values
            )
            select
                (r.n ->> 'tenant_id')::uuid, internal.current_user_id(), internal.current_contact_id(),
                internal.current_request_id(), internal.current_ip(), 'update', $1,
                (select jsonb_object_agg(k, r.n -> k) from unnest($2) as k),
                encode(sha256(convert_to(r.n::text, 'UTF8')), 'hex'), d.old_values, d.new_values
            from r
            cross join lateral (
                select jsonb_object_agg(e.key, e.value) as old_values, jsonb_object_agg(e.key, r.n -> e.key) as new_values
                from jsonb_each(r.o) as e
                where e.value is distinct from r.n -> e.key and e.key <> 'updated_at'
            ) as d
            where d.old_values is not null
        $sql$, (select string_agg(quote_ident(k), ', ') from unnest(key_columns) as k))
        using table_name, key_columns, secret_columns;
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

grant usage on schema audit to pgpsa_staff, pgpsa_portal;
grant execute on function internal.tg__touch_updated_at(), audit.tg__audit() to pgpsa_staff, pgpsa_portal;
