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
    a.new_values
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
    e.last_error
from app.domain_events as e;
