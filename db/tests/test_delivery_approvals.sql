-- Approvals (seed 003 §3.2, §8.1 scenario 2): only a hash of the token is stored; approved completes the stage;
-- revision records a revision, sets the stage to revision, reopens its tasks and records events for the
-- assignees; a decided token is refused (409), an expired one is marked expired and refused (410).
begin;
select plan(19);

select tests.remember('tenant', tests.create_tenant('dlv-appr'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.remember('designer', tests.create_user(tests.get('tenant'), 'designer'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember('project', tests.delivery_project());
select tests.remember('design', tests.stage(tests.get('project'), 'design'));

select throws_ok(
    format($$select * from api.request_approval(%L, '{"approver_email": "c@client.test"}')$$, tests.get('design')),
    'PT409', null, 'approval is asked of a started stage only'
);
select api.start_stage(tests.get('project'), tests.get('design'));
select throws_ok(
    format($$select * from api.request_approval(%L, '{"approver_email": "c@client.test"}')$$, tests.get('design')),
    'PT409', 'Stage Design still has open work: Layout, Brief.', 'approval is asked when the stage''s work is done'
);
select api.update_task(
    tests.task(tests.get('project'), 'Layout'),
    jsonb_build_object('status', 'in_progress', 'assignee_ids', jsonb_build_array(tests.get('designer')))
);
select api.update_task(tests.task(tests.get('project'), 'Layout'), '{"status": "completed"}');
select api.update_task(tests.task(tests.get('project'), 'Brief'), '{"status": "cancelled"}');

-- Request, then a revision.
create temporary table approval_request on commit drop as
select * from api.request_approval(tests.get('design'), '{"approver_email": "c@client.test"}');
grant select on approval_request to public;
select tests.as_superuser();
select is(
    (select a.token_hash::text from app.approvals as a where a.id = (select r.approval_id from approval_request as r)),
    (select encode(sha256(convert_to(token, 'UTF8')), 'hex') from approval_request),
    'only the sha256 of the token is stored'
);
select ok(
    (
        select expires_at > now() + interval '71 hours' from app.approvals
        where id = (select r.approval_id from approval_request as r)
    ),
    'the request expires after 72 hours by default'
);
select tests.authenticate_as(tests.get('manager'));
select is(
    (select status from api.tasks where id = tests.task(tests.get('project'), 'Proof')), 'in_review',
    'the stage''s approval task waits for the client'
);

select throws_ok(
    $$select * from api.decide_approval((select token from approval_request), 'revision')$$,
    '42501', null, 'staff do not decide by token: only the pre-sign-in role finds a tenant from one'
);
select tests.as_anon();
select throws_ok(
    $$select * from api.decide_approval((select token from approval_request), 'revision', '  ')$$,
    '23502', 'Say what should change, then ask for the revision.', 'a revision without a comment is refused'
);
select tests.results_eq(
    $$select status, stage_status from api.decide_approval((select token from approval_request), 'revision',
      'Adjust colors')$$,
    $$values ('revision_requested'::text, 'revision'::text)$$,
    'a revision request marks the approval and puts the stage in revision'
);
select throws_ok(
    $$select * from api.decide_approval((select token from approval_request), 'approved')$$,
    'PT409', 'This approval was already decided (revision_requested).', 'a decided token is refused'
);
select tests.authenticate_as(tests.get('manager'));
select tests.results_eq(
    $$select (r ->> 'revision_number')::int, r ->> 'comment'
      from api.approvals as a, jsonb_array_elements(a.revisions) as r$$,
    $$values (1, 'Adjust colors'::text)$$,
    'a revision record keeps the client''s comment'
);
select tests.results_eq(
    $$select title, status from api.tasks where stage_id = tests.stage(tests.get('project'), 'design') order by title$$,
    $$values ('Brief'::text, 'cancelled'::text), ('Layout', 'in_progress'), ('Proof', 'in_progress')$$,
    'the stage''s done tasks are reopened, cancelled ones stay'
);
select is(
    (select array_agg(payload ->> 'assignee_id') from api.domain_events where event_type = 'task.revision_requested'),
    array[tests.get('designer')::text],
    'an event is recorded for each assignee'
);

-- A second round, approved: the stage completes and the next one starts.
select api.update_task(tests.task(tests.get('project'), 'Layout'), '{"status": "completed"}');
drop table approval_request;
create temporary table approval_request on commit drop as
select * from api.request_approval(tests.get('design'), '{"approver_email": "c@client.test"}');
grant select on approval_request to public;
select tests.as_anon();
select tests.results_eq(
    $$select status, stage_status from api.decide_approval((select token from approval_request), 'approved', 'Great')$$,
    $$values ('approved'::text, 'completed'::text)$$,
    'approved completes the approval stage'
);
select tests.authenticate_as(tests.get('manager'));
select is(
    (select status from api.stages where id = tests.stage(tests.get('project'), 'print')), 'active',
    'and the next stage is active'
);

-- Expiry, unknown tokens, bad decisions.
select tests.remember('p2', tests.delivery_project('Second'));
select api.start_stage(tests.get('p2'), tests.stage(tests.get('p2'), 'design'));
select api.update_task(t.id, '{"status": "cancelled"}')
from api.tasks as t
where t.project_id = tests.get('p2') and t.kind <> 'approval';
drop table approval_request;
create temporary table approval_request on commit drop as
select * from api.request_approval(tests.stage(tests.get('p2'), 'design'), '{"approver_email": "c@client.test"}');
grant select on approval_request to public;
select tests.as_superuser();
update app.approvals set expires_at = now() - interval '1 minute'
where id = (select approval_id from approval_request);
select tests.as_anon();
select is(
    (select status from api.decide_approval((select token from approval_request), 'approved')), 'expired',
    'an expired token marks the approval expired (the service answers 410)'
);
select throws_ok(
    $$select * from api.decide_approval((select token from approval_request), 'approved')$$,
    'PT410', 'This approval link has expired.', 'an expired approval is refused with 410'
);
select throws_ok(
    $$select * from api.decide_approval('not-a-token', 'approved')$$,
    'PT404', 'This approval link is not valid.', 'an unknown token is a 404'
);
select throws_ok(
    $$select * from api.decide_approval((select token from approval_request), 'maybe')$$,
    '23514', null, 'a decision is approved or revision (its vocabulary, app.approval_decision)'
);
select is(current_setting('pgpsa.tenant_id', true), '', 'a decision leaves the caller''s context as it was');

select * from finish();
rollback;
