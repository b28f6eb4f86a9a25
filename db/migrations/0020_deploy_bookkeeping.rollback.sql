-- Undo 0020: `db up` forgets checksums and declarations (the next one re-applies everything, as before).
drop function internal.tg__record_repeatable_code();
drop table internal.declared_ddl;
drop table internal.repeatable_code;
drop table internal.repeatable_files;
drop table internal.migration_checksums;
