-- Job tickets (seed 003 §3.4): a new ticket for a project, and scanning one at a station as a checkpoint.

-- Finds a ticket by its JOB- code or by what its QR says (PRJ:<project_code>: the newest ticket of that project),
-- as the owner: a scanner at a station needs the ticket, not the right to browse tickets.
create or replace function internal.find_job_ticket(p_code text)
returns table (id uuid, ticket_code text, project_id uuid, tenant_id uuid)
language sql stable security definer set search_path = ''
begin atomic
    select
        t.id,
        t.ticket_code,
        t.project_id,
        t.tenant_id
    from app.job_tickets as t
    where
        t.tenant_id = internal.current_tenant_id()
        and (t.ticket_code = upper(btrim(p_code)) or t.qr_payload = btrim(p_code))
    order by t.ticket_code = upper(btrim(p_code)) desc, t.generated_at desc
    limit 1;
end;

-- A scan stamps its ticket (last scan, station) as the owner: scanning does not need the right to edit tickets.
create or replace function internal.tg_job_ticket_scans__stamp() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
    update app.job_tickets as t set last_scanned_at = new.scanned_at, last_station = new.station
    where t.tenant_id = new.tenant_id and t.id = new.ticket_id;
    return null;
end;
$$;

drop trigger if exists trg_job_ticket_scans_500_stamp on app.job_ticket_scans;
create trigger trg_job_ticket_scans_500_stamp after insert on app.job_ticket_scans
for each row execute function internal.tg_job_ticket_scans__stamp();

-- The project's stage in progress at the moment of the scan (what the checkpoint belongs to).
create or replace function internal.current_stage(p_tenant_id uuid, p_project_id uuid) returns uuid
language sql stable security definer set search_path = ''
begin atomic
    select s.id from app.stages as s
    where s.tenant_id = p_tenant_id and s.project_id = p_project_id and s.status in ('active', 'revision', 'overdue')
    order by s.sequence limit 1;
end;

-- p_code is what the scanner read (a JOB- number or a QR payload), p_station where it was scanned.
drop function if exists api.scan_job_ticket(text, text);
create or replace function api.scan_job_ticket(p_code app.reference, p_station app.code)
returns table (scan_id uuid, ticket_id uuid, ticket_code text, project_id uuid, stage_id uuid, scanned_at timestamptz)
language plpgsql volatile set search_path = ''
as $$
declare
    ticket record;
begin
    perform internal.require_access('job_ticket_scans', 'insert');
    select * into ticket from internal.find_job_ticket(p_code) as t;
    if ticket.id is null then
        raise exception using errcode = 'PT404', message = format('No job ticket with code %s.', p_code),
            hint = 'Scan the ticket''s QR code, or type its JOB- number.';
    end if;
    insert into app.job_ticket_scans (tenant_id, ticket_id, station, stage_id, scanned_by)
    values (ticket.tenant_id, ticket.id, btrim(p_station), internal.current_stage(ticket.tenant_id, ticket.project_id),
        internal.current_user_id())
    returning id, job_ticket_scans.stage_id, job_ticket_scans.scanned_at into scan_id, stage_id, scanned_at;
    perform internal.record_event('jobticket.scanned', 'job_ticket', ticket.id,
        jsonb_build_object('station', btrim(p_station), 'project_id', ticket.project_id, 'stage_id', stage_id));
    ticket_id := ticket.id;
    ticket_code := ticket.ticket_code;
    project_id := ticket.project_id;
    return next;
end;
$$;

-- Another ticket for a project (a reprint with a new number, or a project made without an order).
create or replace function api.create_job_ticket(p_project_id uuid) returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
    ticket uuid;
begin
    perform internal.require_access('job_tickets', 'insert');
    ticket := internal.generate_job_ticket(p_project_id);
    if ticket is null then
        perform internal.not_found('project', p_project_id);
    end if;
    return ticket;
end;
$$;

grant execute on function internal.find_job_ticket(text), internal.current_stage(uuid, uuid) to pgpsa_door_api;
