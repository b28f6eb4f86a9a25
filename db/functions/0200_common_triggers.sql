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
-- Runs as the writer (security invoker), so the log row is added with the writer's role and tenant.
create or replace function audit.tg__audit() returns trigger
language plpgsql set search_path = ''
as $$
declare
    key_columns text[] := string_to_array(tg_argv[0], ',');
    secret_columns text[] := coalesce(string_to_array(nullif(tg_argv[1], ''), ','), '{}');
    old_row jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
    new_row jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
    old_values jsonb;
    new_values jsonb;
    row_json jsonb := coalesce(new_row, old_row);
begin
    old_row := old_row - secret_columns;
    new_row := new_row - secret_columns;
    if tg_op = 'UPDATE' then
        -- Keep only what changed; an update that changes nothing leaves no trace.
        select jsonb_object_agg(o.key, o.value), jsonb_object_agg(o.key, new_row -> o.key)
        into old_values, new_values
        from jsonb_each(old_row) as o
        where o.value is distinct from new_row -> o.key and o.key <> 'updated_at';
        if old_values is null then
            return null;
        end if;
    else
        old_values := old_row;
        new_values := new_row;
    end if;
    insert into audit.audit_log (
        tenant_id, actor_user_id, actor_contact_id, request_id, ip, action, table_name, row_key,
        payload_hash, old_values, new_values
    ) values (
        (row_json ->> 'tenant_id')::uuid,
        internal.current_user_id(),
        internal.current_contact_id(),
        internal.current_request_id(),
        internal.current_ip(),
        lower(tg_op),
        tg_table_schema || '.' || tg_table_name,
        (select jsonb_object_agg(k, row_json -> k) from unnest(key_columns) as k),
        encode(sha256(convert_to(coalesce(new_row, old_row)::text, 'UTF8')), 'hex'),
        old_values,
        new_values
    );
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
