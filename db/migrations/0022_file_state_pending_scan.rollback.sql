-- Undo 0022: no file waits for a scan any more (one that did is pending again), and the word goes.
-- transactional: false
update app.files set state = 'pending'
where state = 'pending_scan';
alter domain app.file_state drop constraint if exists check_file_state;
alter domain app.file_state add constraint check_file_state
check (value = any('{pending,available,quarantined,deleted}'::text[]));
comment on constraint check_file_state on domain app.file_state is
'A file state is one of: pending, available, quarantined, deleted.';
