-- Task signals behind project health are read by the owner view internal.project_signals
-- (db/views/0_internal_owner_reads.sql); a function in a door view would run with the caller's EXECUTE rights.
-- The views that read it are made again by their files.
drop function if exists internal.project_task_signals() cascade;
