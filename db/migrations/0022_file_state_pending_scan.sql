-- A client's upload waits for its scan (pending_scan) before the team sees it (issue P).
-- Outside a transaction: PostgreSQL 15 refuses a savepoint (which yoyo takes per migration) after ALTER DOMAIN ...
-- ADD CONSTRAINT ("unprocessed inval messages"); each statement here is safe to run again.
-- transactional: false
-- depends: 0021_automations

alter domain app.file_state drop constraint if exists check_file_state;
alter domain app.file_state add constraint check_file_state
check (value = any('{pending,pending_scan,available,quarantined,deleted}'::text[]));
comment on constraint check_file_state on domain app.file_state is
'A file state is one of: pending, pending_scan, available, quarantined, deleted.';
