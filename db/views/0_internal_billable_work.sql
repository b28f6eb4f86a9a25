-- The work a draft invoice would bill now (seed 000 InvoiceCalculatorService), as rows: each delivered task not yet
-- on an invoice, with the quantity and unit price its line would get. non_billable never; fixed when the task is
-- completed, approved or client_approved; milestone only approval tasks in approved or client_approved; hourly = its
-- time entries (less time against a contract line, which the contract bills) x its hourly rate, in those statuses,
-- once there is time. An owner view (tenant-scoped by the tables' policy), read by bi.unbilled_wip.
-- api.generate_invoice_draft (db/functions/0810_invoice_drafts.sql) still says the same rule in its own body;
-- db/tests/test_bi_billing.sql holds the two to each other by drafting what this view lists.

create or replace view internal.unbilled_tasks as
with delivered as (
    select
        t.tenant_id,
        t.project_id,
        t.id as task_id,
        t.billing_type,
        case t.billing_type when 'hourly' then coalesce(h.uncontracted_hours, 0) else 1 end as quantity,
        case t.billing_type when 'hourly' then t.hourly_rate else t.fixed_amount end as unit_price
    from app.tasks as t
    -- Its hours less contract time, as app.task_totals keeps them.
    left join app.task_totals as h on t.tenant_id = h.tenant_id and t.id = h.task_id and t.billing_type = 'hourly'
    where
        t.tenant_id = internal.current_tenant_id()
        and t.invoice_id is null
        -- Implied by the rule below, said again so the planner reads index_tasks_unbilled (delivered, not invoiced).
        and t.status in ('completed', 'approved', 'client_approved') and t.billing_type <> 'non_billable'
        and (
            (t.billing_type in ('fixed', 'hourly') and t.status in ('completed', 'approved', 'client_approved'))
            or (t.billing_type = 'milestone' and t.kind = 'approval' and t.status in ('approved', 'client_approved'))
        )
        and (t.billing_type <> 'hourly' or h.uncontracted_hours > 0)
)

select
    d.tenant_id,
    d.project_id,
    d.task_id,
    d.billing_type,
    d.quantity,
    d.unit_price,
    internal.line_net(d.quantity, d.unit_price, 0) as amount
from delivered as d;
