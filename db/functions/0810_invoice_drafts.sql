-- A draft invoice from a project's delivered, unbilled work (seed 000 InvoiceCalculatorService), set-based:
-- non_billable never; fixed when the task is completed, approved or client_approved; milestone only approval tasks
-- in approved or client_approved; hourly = the task's time entries x its hourly rate, in those statuses.
-- The candidate tasks are locked first (in id order, so two drafts never deadlock), then billed in a statement of
-- its own: its snapshot is taken once the locks are held, so every time entry committed before is counted, and a
-- time entry being logged (which holds its task FOR SHARE) is waited for, while one logged later waits for the
-- draft and is then refused. Each billed task is claimed (tasks.invoice_id) by the statement that writes its line,
-- so it is billed once even when two drafts run at the same time, and its time entries freeze.

-- The project is the path's; p (db/migrations/0017_shapes_sales.sql) is the optional body.
drop function if exists api.generate_invoice_draft(uuid, jsonb);
create or replace function api.generate_invoice_draft(p_project_id uuid, p api.invoice_draft_create default '{}')
returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
    project record;
    invoice uuid;
    billed integer;
    candidates uuid[];
begin
    perform internal.require_access('invoices', 'insert');
    select pr.id, pr.client_id, pr.status, pr.project_code into project from app.projects as pr
    where pr.tenant_id = internal.current_tenant_id() and pr.id = p_project_id;
    if project.id is null then
        perform internal.not_found('project', p_project_id);
    end if;
    if project.client_id is null then
        raise exception using errcode = 'PT422', message = format('Project %s has no client to invoice.', project.project_code),
            hint = 'Set the project''s client first.';
    end if;
    insert into app.invoices (tenant_id, client_id, project_id, kind, due_date, notes, created_by)
    values (
        internal.current_tenant_id(), project.client_id, project.id,
        case when project.status = 'completed' then 'final' else 'progress' end,
        (p ->> 'due_date')::date, p ->> 'notes', internal.current_user_id()
    ) returning id into invoice;

    select array_agg(c.id) into candidates from (
        select t.id from app.tasks as t
        where
            t.tenant_id = internal.current_tenant_id() and t.project_id = p_project_id and t.invoice_id is null
            and (
                (t.billing_type in ('fixed', 'hourly') and t.status in ('completed', 'approved', 'client_approved'))
                or (t.billing_type = 'milestone' and t.kind = 'approval' and t.status in ('approved', 'client_approved'))
            )
        order by t.id
        for update of t
    ) as c;

    with eligible as (
        select
            t.tenant_id, t.id, t.title, t.billing_type, t.stage_id, t.sequence,
            case t.billing_type when 'hourly' then coalesce(h.hours, 0) else 1 end as quantity,
            case t.billing_type when 'hourly' then t.hourly_rate else t.fixed_amount end as unit_price
        from app.tasks as t
        left join lateral (
            -- Time logged against a contract line is billed by the contract (api.bill_client_contracts).
            select sum(e.hours) as hours from app.time_entries as e
            where e.tenant_id = t.tenant_id and e.task_id = t.id and e.contract_line_id is null
        ) as h on t.billing_type = 'hourly'
        where
            t.tenant_id = internal.current_tenant_id() and t.id = any(candidates) and t.invoice_id is null
            and (t.billing_type <> 'hourly' or h.hours > 0)
    ),
    claimed as (
        update app.tasks as t set invoice_id = invoice
        from eligible as e
        where t.tenant_id = e.tenant_id and t.id = e.id and t.invoice_id is null
        returning e.*
    ),
    lines as (
        insert into app.invoice_lines (
            tenant_id, invoice_id, sequence, description, quantity, unit_price, tax_rate, source_type, task_id
        )
        select
            c.tenant_id, invoice,
            row_number() over (order by s.sequence, c.sequence, c.title),
            c.title || case c.billing_type when 'hourly' then ' (' || c.quantity || ' h)' else '' end,
            c.quantity, c.unit_price, coalesce((p ->> 'tax_rate')::numeric, 0), 'task', c.id
        from claimed as c
        join app.stages as s on s.tenant_id = c.tenant_id and s.id = c.stage_id
        returning 1
    )
    select count(*) into billed from lines;

    if billed = 0 then
        raise exception using
            errcode = 'PT409', message = format('Nothing to invoice on project %s.', project.project_code),
            hint = 'Tasks are billed once they are completed or approved (milestones: approved), hourly ones with time logged.';
    end if;
    perform internal.record_event('invoice.drafted', 'invoice', invoice, jsonb_build_object('project_id', p_project_id, 'lines', billed));
    return invoice;
end;
$$;
