-- Grants on the document kinds, the events outbox and the audit log. Counters, events and audit rows are written
-- only by owner-run functions and triggers (internal.next_document_number, internal.record_event, audit.tg__audit):
-- no door and no request role can add, change or forge one.

alter table app.document_kinds enable row level security;
alter table app.document_kinds force row level security;
create policy document_kinds_read on app.document_kinds for select to pgpsa_door_api, pgpsa_owner using (true);
grant select on app.document_kinds to pgpsa_door_api;

-- Managers (audit:read) read the outbox and the audit log through the door.
grant select on app.domain_events to pgpsa_door_api;
grant select on audit.audit_log to pgpsa_door_api;
grant usage on schema audit to pgpsa_door_api;

-- The audit trigger (as the owner) logs a row in the tenant of the row it audits, which RLS already checked for
-- the writer; a superuser's own writes (the CLI) carry no request tenant, and are logged too.
create policy audit_log_by_trigger on audit.audit_log for insert to pgpsa_owner with check (true);
