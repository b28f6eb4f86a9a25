-- The calendar the bi views count in, stated once: a moment falls on its UTC date (tenants have no time zone yet;
-- when they get one, these are the only functions to change), months start on their first day, weeks on Monday.
-- The bi views call them for their readers, so db/policies/9000_doors.sql grants them to the request roles.

create or replace function internal.report_date(p_at timestamptz) returns date
language sql immutable parallel safe
begin atomic
    select (p_at at time zone 'UTC')::date;
end;

create or replace function internal.report_today() returns date
language sql stable parallel safe
begin atomic
    select internal.report_date(now());
end;

-- On a timestamp without time zone, so the session's TimeZone has no say.
create or replace function internal.report_month(p_on date) returns date
language sql immutable parallel safe
begin atomic
    select date_trunc('month', p_on::timestamp)::date;
end;

create or replace function internal.report_week(p_on date) returns date
language sql immutable parallel safe
begin atomic
    select date_trunc('week', p_on::timestamp)::date;
end;

grant execute on function internal.report_date(timestamptz), internal.report_today(), internal.report_month(date),
internal.report_week(date)
to pgpsa_door_api, pgpsa_door_bi;
