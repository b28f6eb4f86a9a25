-- Undo 0004: audit log, outbox, document numbering.
drop table if exists audit.audit_log, app.domain_events, app.document_counters, app.document_kinds cascade;
