-- Grants on the document counters, the events outbox and the audit log.

alter table app.document_kinds enable row level security;
alter table app.document_kinds force row level security;
drop policy if exists document_kinds_read on app.document_kinds;
create policy document_kinds_read on app.document_kinds for select to pgpsa_staff, pgpsa_owner using (true);
grant select on app.document_kinds, app.document_counters to pgpsa_staff;

-- Events are added only through internal.record_event (as the owner); managers may read the outbox.
drop policy if exists domain_events_read on app.domain_events;
create policy domain_events_read on app.domain_events as restrictive for select to pgpsa_staff
using (internal.has_permission('audit:read'));
grant select on app.domain_events to pgpsa_staff;

-- The service roles add audit rows (through the trigger) but can never change or delete them.
drop policy if exists audit_log_read on audit.audit_log;
create policy audit_log_read on audit.audit_log as restrictive for select to pgpsa_staff
using (internal.has_permission('audit:read'));
drop policy if exists audit_log_portal_insert on audit.audit_log;
create policy audit_log_portal_insert on audit.audit_log for insert to pgpsa_portal
with check (tenant_id = internal.current_tenant_id());
grant insert, select on audit.audit_log to pgpsa_staff;
grant insert on audit.audit_log to pgpsa_portal;
