-- Grants on the document kinds, the events outbox and the audit log. Counters, events and audit rows are written
-- only by owner-run functions and triggers (internal.next_document_number, internal.record_event, audit.tg__audit):
-- no door and no request role can add, change or forge one.


-- Managers (audit:read) read the outbox and the audit log through the door.
grant select on app.domain_events to pgpsa_door_api;
-- ... and what was mailed, and when the schedules ran (written only by the worker's owner-run functions).
grant select on app.outbound_mail, app.schedule_runs to pgpsa_door_api;
grant select on audit.audit_log to pgpsa_door_api;
grant usage on schema audit to pgpsa_door_api;

-- The audit trigger (as the owner) logs a row in the tenant of the row it audits, which RLS already checked for
-- the writer; a superuser's own writes (the CLI) carry no request tenant, and are logged too.
create policy audit_log_by_trigger on audit.audit_log for insert to pgpsa_owner with check (true);
