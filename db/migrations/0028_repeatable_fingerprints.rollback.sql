-- Undo 0028: what the repeatable files made is known by name only again.
alter table internal.repeatable_code drop column if exists fingerprint;
