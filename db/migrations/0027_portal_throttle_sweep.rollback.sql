-- Undo 0027: the throttle's rows are found by subject only again.
drop index if exists internal.index_portal_throttle_on_at;
