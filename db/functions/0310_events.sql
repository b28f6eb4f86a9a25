-- Domain events and the job queue: a rule records its event in the same transaction as the change, and the event's
-- delivery job is queued in that transaction too (a transactional outbox): committed together or not at all.
-- Jobs go through internal.enqueue, the one place that knows procrastinate's SQL (schema `queue`).

-- A procrastinate job, queued in the caller's transaction. p_queueing_lock: at most one such job waiting (a
-- second one while the first waits is not queued, and 0 is returned). Owner-run: no request role may touch the queue.
create or replace function internal.enqueue(
    p_task text, p_args jsonb, p_scheduled_at timestamptz default null, p_queueing_lock text default null
) returns bigint
language plpgsql volatile security definer set search_path = queue, pg_catalog
as $$
begin
    return (
        queue.procrastinate_defer_jobs_v1(array[
            row('default', p_task, 0, null, p_queueing_lock, p_args, p_scheduled_at)::queue.procrastinate_job_to_defer_v1
        ])
    )[1];
exception when unique_violation then
    return 0;  -- the queueing lock: the same job is already waiting
end;
$$;

-- The only way in for events: it runs as the owner, so writers need no grant on the outbox and cannot forge a row's
-- actor; its delivery job is queued with it.
create or replace function internal.record_event(
    p_event_type text, p_aggregate_type text, p_aggregate_id uuid, p_payload jsonb default '{}'
) returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
    event_id uuid;
begin
    insert into app.domain_events (tenant_id, event_type, aggregate_type, aggregate_id, payload, actor_user_id)
    values (
        internal.current_tenant_id(), p_event_type, p_aggregate_type, p_aggregate_id,
        coalesce(p_payload, '{}'), internal.current_user_id()
    )
    returning id into event_id;
    perform internal.enqueue(
        'deliver_event', jsonb_build_object('tenant_id', internal.current_tenant_id(), 'event_id', event_id)
    );
    return event_id;
end;
$$;

grant execute on function internal.record_event(text, text, uuid, jsonb) to pgpsa_door_api;
