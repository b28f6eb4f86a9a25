-- Demo portal (issue P): Acme Signs' contacts see orders in several states, its accepted order's board (every task
-- shown to the client, a comment for it), an open approval and an open deposit invoice. Through the api as the demo
-- manager; idempotent: each order is known by its PO number, the approval and the comment by their project.
-- `pgpsa seed-demo` then stores a proof file and prints a live share link (service/admin.py).

-- Orders by hand, one per state the lifecycle reaches from pending (each with its project).
select
    api.create_order(jsonb_build_object(
        'client_id', c.id, 'project_type', 'banner', 'po_number', d.po, 'promised_date', current_date + 10,
        'items', jsonb_build_array(jsonb_build_object('description', d.what, 'quantity', 2, 'unit_price', 120))
    ))
from api.clients as c
cross join (
    values
    ('DEMO-IN-PRODUCTION', 'Window banners'), ('DEMO-ON-HOLD', 'Roof sign'), ('DEMO-READY', 'Door vinyl'),
    ('DEMO-COMPLETED', 'Opening banner'), ('DEMO-CANCELLED', 'Van wrap')
) as d (po, what)
where c.account_code = 'ACME' and not exists (select from api.orders as o where o.po_number = d.po);

select api.update_order(o.id, jsonb_build_object('status', s.status))
from api.orders as o
cross join
    lateral unnest(case o.po_number
        when 'DEMO-IN-PRODUCTION' then array['in_production']
        when 'DEMO-ON-HOLD' then array['on_hold']
        when 'DEMO-READY' then array['in_production', 'ready']
        when 'DEMO-COMPLETED' then array['in_production', 'ready', 'completed']
        when 'DEMO-CANCELLED' then array['cancelled']
    end) as s (status)
where o.status = 'pending' and o.po_number like 'DEMO-%';

-- The accepted order's project: every task shown to the client, a comment for it, its first stage's work in
-- review and the client's approval asked of its primary contact.
select api.update_task(t.id, '{"client_visible": true}')
from api.tasks as t
inner join api.projects as p on t.project_id = p.id
inner join api.orders as o on p.order_id = o.id
inner join api.clients as c on o.client_id = c.id
where c.account_code = 'ACME' and not t.client_visible;

select api.add_comment(t.id, '{"body": "We have your artwork; the first proof follows.", "client_visible": true}')
from api.tasks as t
inner join api.projects as p on t.project_id = p.id
inner join api.orders as o on p.order_id = o.id
where o.quote_id is not null and t.sequence = 1 and t.stage_id = (
    select s.id from api.stages as s where s.project_id = p.id
    order by s.sequence limit 1
) and not exists (select from api.comments as k where k.task_id = t.id and k.client_visible);

select api.update_task(t.id, jsonb_build_object('status', s.status))
from api.tasks as t
inner join api.stages as st on t.stage_id = st.id
inner join api.projects as p on st.project_id = p.id
inner join api.orders as o on p.order_id = o.id
cross join
    lateral unnest(case t.status when 'todo' then array['in_progress', 'in_review'] else array['in_review'] end)
        as s (status)
where
    o.quote_id is not null and st.status = 'active' and t.status in ('todo', 'in_progress') and t.kind <> 'approval'
    and not exists (select from api.approvals as a where a.project_id = p.id);

select api.request_approval(st.id, jsonb_build_object('approver_contact_id', k.id, 'expires_in_hours', 24 * 30))
from api.stages as st
inner join api.projects as p on st.project_id = p.id
inner join api.orders as o on p.order_id = o.id
inner join api.contacts as k on o.client_id = k.client_id and k.is_primary
where
    o.quote_id is not null and st.status = 'active'
    and not exists (select from api.approvals as a where a.project_id = p.id);
