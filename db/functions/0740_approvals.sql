-- Approvals (seed 003 §3.2): a request stores only the token's hash and an expiry; a decision arrives with the
-- token alone. approved completes the stage; revision records a revision, sets the stage to revision, reopens its
-- tasks and records an event for each assignee.

create or replace function internal.token_hash(p_token text) returns text
language sql immutable parallel safe
begin atomic
    select encode(sha256(convert_to(p_token, 'UTF8')), 'hex');
end;

-- A token is the tenant id (32 hex) followed by 64 random hex: the decision finds its tenant without reading
-- across tenants, then the approval by the token's hash. The plain token is returned once and never stored.
-- The body is typed by its shape (db/migrations/0016_shapes_delivery.sql).
drop function if exists api.request_approval(uuid, jsonb);
create or replace function api.request_approval(p_stage_id uuid, p api.approval_create)
returns table (approval_id uuid, token text)
language plpgsql volatile set search_path = ''
as $$
declare
    stage record;
    new_token text := replace(internal.current_tenant_id()::text, '-', '') || encode(extensions.gen_random_bytes(32), 'hex');
    new_id uuid;
    open_work text;
begin
    perform internal.require_access('approvals', 'insert');
    select s.id, s.project_id, s.status, s.name into stage from app.stages as s
    where s.tenant_id = internal.current_tenant_id() and s.id = p_stage_id;
    if stage.id is null then
        perform internal.not_found('stage', p_stage_id);
    end if;
    if stage.status not in ('active', 'revision', 'overdue') then
        raise exception using
            errcode = 'PT409', message = format('Stage %s is %s; approval is asked of a started stage.', stage.name, stage.status);
    end if;
    insert into app.approvals (
        tenant_id, project_id, stage_id, token_hash, expires_at, approver_contact_id, approver_email, requested_by,
        token_encrypted  -- so the approver's mail (and a reminder) can carry the link; found only by its hash
    ) values (
        internal.current_tenant_id(), stage.project_id, p_stage_id, internal.token_hash(new_token),
        now() + make_interval(hours => coalesce((p ->> 'expires_in_hours')::integer, 72)),
        (p ->> 'approver_contact_id')::uuid, p ->> 'approver_email', internal.current_user_id(),
        internal.encrypt_secret(new_token)
    ) returning id into new_id;
    -- The client approves finished work (done, or in review for this approval): the studio hears about open
    -- tasks now, not the client later.
    open_work := (
        select string_agg(t.title, ', ' order by t.sequence) from app.tasks as t
        where t.tenant_id = internal.current_tenant_id() and t.stage_id = p_stage_id and t.kind <> 'approval'
          and t.status <> all(internal.task_done_statuses()) and t.status <> 'in_review'
    );
    if open_work is not null then
        raise exception using
            errcode = 'PT409', message = format('Stage %s still has open work: %s.', stage.name, open_work),
            hint = 'Finish those tasks before asking the client to approve.';
    end if;
    -- The stage's approval tasks wait for the client.
    update app.tasks as t set status = 'in_review'
    where t.tenant_id = internal.current_tenant_id() and t.stage_id = p_stage_id and t.kind = 'approval'
      and t.status in ('todo', 'in_progress');
    perform internal.record_event(
        'approval.requested', 'approval', new_id,
        jsonb_build_object('stage_id', p_stage_id, 'project_id', stage.project_id,
            'approver_contact_id', p -> 'approver_contact_id', 'approver_email', p -> 'approver_email')
    );
    approval_id := new_id;
    token := new_token;
    return next;
end;
$$;

-- The public decision. Runs as the owner: the caller has no tenant until the token names one.
-- An expired token is marked expired and the row comes back with status 'expired' (not raised, or the marking
-- would roll back); the service commits and answers 410.
-- The decision is one of its vocabulary (app.approval_decision) and the comment a note, by their types.
drop function if exists api.decide_approval(text, text, text);
create or replace function api.decide_approval(
    p_token text, p_decision app.approval_decision, p_comment app.note default null
)
returns table (
    approval_id uuid, status app.approval_status, stage_id uuid, stage_status app.stage_status, project_id uuid
)
language plpgsql volatile security definer set search_path = ''
as $$
declare
    a app.approvals;
    may_approve boolean;
    revision_no integer;
    caller_tenant text := current_setting('pgpsa.tenant_id', true);
    caller_contact text := current_setting('pgpsa.contact_id', true);
begin
    if p_decision is null then
        raise exception using errcode = '23502', message = 'decision is required.', column = 'decision';
    end if;
    -- A revision says what should change (the studio works from the comment), whichever door it comes through.
    if p_decision = 'revision' and nullif(btrim(p_comment), '') is null then
        raise exception using errcode = '23502', column = 'comment',
            message = 'Say what should change, then ask for the revision.';
    end if;
    if p_token !~ '^[0-9a-f]{96}$' then
        raise exception using errcode = 'PT404', message = 'This approval link is not valid.';
    end if;
    perform set_config('pgpsa.tenant_id', left(p_token, 32)::uuid::text, true);
    select ap.* into a from app.approvals as ap
    where ap.tenant_id = left(p_token, 32)::uuid and ap.token_hash = internal.token_hash(p_token)
    for update;
    if a.id is null then
        perform set_config('pgpsa.tenant_id', coalesce(caller_tenant, ''), true);
        raise exception using errcode = 'PT404', message = 'This approval link is not valid.';
    end if;
    may_approve := internal.decider_may_approve(a.approver_contact_id);  -- asked before the deciding contact is set below (0965)
    -- Recorded with the deciding contact: the portal session's, or (by the emailed token alone) the approver.
    perform set_config('pgpsa.contact_id', coalesce(nullif(caller_contact, ''), a.approver_contact_id::text, ''), true);
    if a.status = 'expired' then
        raise exception using errcode = 'PT410', message = 'This approval link has expired.',
            hint = 'Ask the studio to send a new one.';
    elsif a.status <> 'pending' then
        raise exception using errcode = 'PT409', message = format('This approval was already decided (%s).', a.status);
    elsif a.expires_at < now() then
        update app.approvals as ap set status = 'expired' where ap.tenant_id = a.tenant_id and ap.id = a.id;
        perform internal.record_event('approval.expired', 'approval', a.id, jsonb_build_object('stage_id', a.stage_id));
    elsif not may_approve then  -- the deciding contact must hold the approve capability
        raise exception using errcode = 'PT403', message = 'You may not decide approvals for this client.',
            hint = 'Ask the studio to let you approve, or forward the link to the person who does.';
    elsif p_decision = 'approved' then
        update app.approvals as ap set status = 'approved', decided_at = now(), decision_comment = p_comment,
            decided_by_contact_id = internal.current_contact_id()
        where ap.tenant_id = a.tenant_id and ap.id = a.id;
        -- Everything the client was shown (in review) is now client-approved.
        update app.tasks as t set status = 'client_approved'
        where t.tenant_id = a.tenant_id and t.stage_id = a.stage_id and t.status = 'in_review';
        update app.stages as s set status = 'completed' where s.tenant_id = a.tenant_id and s.id = a.stage_id;
        perform internal.record_event('approval.approved', 'approval', a.id, jsonb_build_object('stage_id', a.stage_id));
    else
        update app.approvals as ap set status = 'revision_requested', decided_at = now(), decision_comment = p_comment,
            decided_by_contact_id = internal.current_contact_id()
        where ap.tenant_id = a.tenant_id and ap.id = a.id;
        select coalesce(max(r.revision_number), 0) + 1 into revision_no from app.approval_revisions as r
        where r.tenant_id = a.tenant_id and r.stage_id = a.stage_id;
        insert into app.approval_revisions (tenant_id, approval_id, stage_id, revision_number, comment)
        values (a.tenant_id, a.id, a.stage_id, revision_no, p_comment);
        update app.stages as s set status = 'revision' where s.tenant_id = a.tenant_id and s.id = a.stage_id;
        update app.tasks as t set status = 'in_progress'
        where t.tenant_id = a.tenant_id and t.stage_id = a.stage_id
          and t.status in ('in_review', 'completed', 'approved', 'client_approved');
        perform internal.record_event(
            'task.revision_requested', 'task', ta.task_id,
            jsonb_build_object('assignee_id', ta.user_id, 'approval_id', a.id, 'stage_id', a.stage_id, 'comment', p_comment)
        )
        from app.task_assignees as ta
        join app.tasks as t on t.tenant_id = ta.tenant_id and t.id = ta.task_id
        where ta.tenant_id = a.tenant_id and t.stage_id = a.stage_id;
        perform internal.record_event(
            'approval.revision_requested', 'approval', a.id,
            jsonb_build_object('stage_id', a.stage_id, 'revision_number', revision_no, 'comment', p_comment)
        );
    end if;
    return query
    select ap.id, ap.status, s.id, s.status, ap.project_id
    from app.approvals as ap join app.stages as s on s.tenant_id = ap.tenant_id and s.id = ap.stage_id
    where ap.tenant_id = a.tenant_id and ap.id = a.id;
    -- The caller's context comes back: the approver's identity was for this decision only.
    perform set_config('pgpsa.tenant_id', coalesce(caller_tenant, ''), true);
    perform set_config('pgpsa.contact_id', coalesce(caller_contact, ''), true);
end;
$$;

create or replace function api.remind_approval(p_id uuid) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
    current_status text;
begin
    perform internal.require_access('approvals', 'update');
    select ap.status into current_status from app.approvals as ap
    where ap.tenant_id = internal.current_tenant_id() and ap.id = p_id;
    if current_status is null then
        perform internal.not_found('approval', p_id);
    elsif current_status <> 'pending' then
        raise exception using errcode = 'PT409', message = format('This approval is %s; only a pending one is reminded.', current_status);
    end if;
    update app.approvals as ap set reminded_at = now() where ap.tenant_id = internal.current_tenant_id() and ap.id = p_id;
    perform internal.record_event('approval.reminder_requested', 'approval', p_id, '{}');
    return p_id;
end;
$$;

grant execute on function internal.token_hash(text) to pgpsa_door_api;
