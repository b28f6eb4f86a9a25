-- Domain events: rules call this in the same transaction as the change; the worker delivers them later.
-- The only way in: it runs as the owner, so writers need no grant on the outbox and cannot forge a row's actor.

create or replace function internal.record_event(
    p_event_type text, p_aggregate_type text, p_aggregate_id uuid, p_payload jsonb default '{}'
) returns uuid
language sql volatile security definer set search_path = ''
begin atomic
    insert into app.domain_events (tenant_id, event_type, aggregate_type, aggregate_id, payload, actor_user_id)
    values (
        internal.current_tenant_id(), p_event_type, p_aggregate_type, p_aggregate_id,
        coalesce(p_payload, '{}'), internal.current_user_id()
    )
    returning id;
end;

grant execute on function internal.record_event(text, text, uuid, jsonb) to pgpsa_door_api;
