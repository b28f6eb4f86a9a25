-- Per-tenant gapless document numbers (Q-, SO-, PRJ-, INV-, PAY-, JOB-).
-- The counter row is locked until the caller commits; a rollback gives the number back, so there are no gaps.

-- plpgsql, not SQL: a SQL function with a SET clause is planned at every call (0.69 ms), plpgsql once a session.
create or replace function internal.next_document_number(p_kind text) returns text
language plpgsql volatile security definer set search_path = ''
as $$
declare
    number text;
begin
    insert into app.document_counters as c (tenant_id, kind, last_value)
    values (internal.current_tenant_id(), p_kind, 1)
    on conflict (tenant_id, kind) do update set last_value = c.last_value + 1
    returning
        (select k.prefix from app.document_kinds as k where k.kind = c.kind)
        || lpad(c.last_value::text, 6, '0')
    into number;
    return number;
end;
$$;

grant execute on function internal.next_document_number(text) to pgpsa_door_api;
