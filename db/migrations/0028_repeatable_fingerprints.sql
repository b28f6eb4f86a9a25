-- Each function and view a repeatable file made keeps a fingerprint of it as the catalog had it after the re-apply
-- (definition, owner, grants): one that differs later was changed in the database, not in a file, and `db status`
-- says so and `db up` makes it again (service/migrate.py). Null until the next re-apply records it.
-- depends: 0027_portal_throttle_sweep

alter table internal.repeatable_code add column fingerprint text;
