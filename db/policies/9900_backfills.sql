-- What a deploy completes once every rule is in place (this file runs last): totals for any tenant whose rows have
-- none kept yet (migration 0025's backfill; db/functions/0995_totals.sql).
select internal.rebuild_missing_totals();
