-- Undo 0026: the time zone check scans pg_timezone_names again, as 0021 made it.
create or replace function internal.is_time_zone(p_name text) returns boolean
language sql immutable parallel safe set search_path = ''
begin atomic
    select exists(select from pg_catalog.pg_timezone_names as z where z.name = p_name);
end;
