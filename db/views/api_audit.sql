-- The audit log and the domain-events outbox as managers (audit:read) read them through the api door.

create or replace view api.audit_log as
select
    a.id,
    a.occurred_at,
    a.actor_user_id,
    a.actor_contact_id,
    a.db_login,
    a.db_role,
    a.request_id,
    a.ip,
    a.action,
    a.table_name,
    a.row_key,
    a.payload_hash,
    a.old_values,
    a.new_values,
    a.tenant_id
from audit.audit_log as a;

create or replace view api.domain_events as
select
    e.id,
    e.event_type,
    e.aggregate_type,
    e.aggregate_id,
    e.payload,
    e.actor_user_id,
    e.occurred_at,
    e.delivered_at,
    e.attempts,
    e.last_error,
    e.dead_at,
    e.tenant_id
from app.domain_events as e;

-- What was mailed, and what is still to send (the local outbox, or SendGrid's record); audit:read, as events.
create or replace view api.outbound_mail as
select
    m.id,
    m.event_id,
    m.template,
    m.to_email,
    m.to_name,
    m.status,
    m.attempts,
    m.last_error,
    m.provider,
    m.provider_message_id,
    m.created_at,
    m.sent_at,
    m.tenant_id
from app.outbound_mail as m;

-- The job queue as one tenant sees it: per task, jobs waiting, scheduled, running and failed, the oldest waiting
-- job's age, and (for event delivery) dead events. `pgpsa worker status` prints the same for every tenant.
create or replace view api.job_queue as
select
    q.task_name::text as task_name,
    count(*) filter (where q.waiting) as waiting,
    count(*) filter (where q.status = 'todo' and not q.waiting) as scheduled,
    count(*) filter (where q.status = 'doing') as running,
    count(*) filter (where q.status = 'failed') as failed,
    min(q.deferred_at) filter (where q.waiting) as oldest_waiting_since,
    case when q.task_name = 'deliver_event' then (
        select count(*) from app.domain_events as e where e.dead_at is not null
    ) else 0 end as dead_events
from internal.queue_jobs as q
where q.tenant_id = internal.current_tenant_id() and internal.has_permission('audit:read')
group by q.task_name;
comment on view api.job_queue is 'The job queue of the current tenant, per task (audit:read).';

-- tenant_id: the key the service names in its reads (README, "Reads name their tenant"); never a field.
comment on column api.audit_log.tenant_id is '@internal';
comment on column api.domain_events.tenant_id is '@internal';
comment on column api.outbound_mail.tenant_id is '@internal';
