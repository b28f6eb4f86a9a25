-- A time zone is checked against the names the server had when this ran, not by reading the time zone files.
-- internal.is_time_zone (0021) scanned pg_timezone_names, which reads the server's whole zone database: about 40 ms
-- for every tenant created and every time zone set. The names are now in the function itself (an array, about
-- 600 names: microseconds); a name the server learned later (a tz data upgrade) still passes by the old scan.
-- depends: 0025_totals

do $$
begin
    execute format(
        $function$
        create or replace function internal.is_time_zone(p_name text) returns boolean
        language sql immutable parallel safe
        -- No SET clause: plain SQL that a domain check inlines (a SET clause would plan it at every call).
        return p_name = any(%L::text[])
            or exists(select from pg_catalog.pg_timezone_names as z where z.name = p_name)
        $function$,
        array(select z.name from pg_catalog.pg_timezone_names as z order by z.name)
    );
end;
$$;
