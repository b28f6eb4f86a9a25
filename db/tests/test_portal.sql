-- The portal's rules in the database, by persona: a contact of the client (with and without each capability), a
-- contact of another client, staff of the tenant and of another tenant, and nobody (no session, a revoked one, an
-- expired one). Sign-in outcomes: wrong, locked after 5, expired, used, and the rate limit.
begin;
select plan(35);

select tests.remember('tenant', tests.create_tenant('portal-rules'));
select tests.remember('other_tenant', tests.create_tenant('portal-rules-other'));
select tests.remember('manager', tests.create_user(tests.get('tenant'), 'manager'));
select tests.remember('designer', tests.create_user(tests.get('tenant'), 'designer'));
select tests.remember('other_manager', tests.create_user(tests.get('other_tenant'), 'manager'));
select tests.authenticate_as(tests.get('manager'));
select tests.remember('acme', tests.seed_portal_client('Acme'));
select tests.remember('other_client', tests.seed_portal_client('Other'));
select tests.as_superuser();
select tests.remember('pat', (
    select id from app.contacts where client_id = tests.get('acme')
    order by name limit 1
));
select
    tests.remember('sam', (
        select id from app.contacts where client_id = tests.get('acme')
        order by name desc limit 1
    ));
select tests.remember('pat_session', tests.portal_session(tests.get('pat')));
select tests.remember('sam_session', tests.portal_session(tests.get('sam')));
select tests.remember('order', (select id from app.orders where client_id = tests.get('acme')));
select tests.remember('other_order', (select id from app.orders where client_id = tests.get('other_client')));
select tests.remember('invoice', (
    select id from app.invoices where client_id = tests.get('acme')
    order by id limit 1
));
select tests.remember('hidden_task', (
    select t.id from app.tasks as t inner join app.projects as p on t.project_id = p.id
    where p.client_id = tests.get('acme') and not t.client_visible
    order by t.id limit 1
));
select tests.remember('shown_task', (
    select t.id from app.tasks as t inner join app.projects as p on t.project_id = p.id
    where p.client_id = tests.get('acme') and t.client_visible
    order by t.id limit 1
));
select tests.set('tests.token', (
    select internal.decrypt_secret(a.token_encrypted) from app.approvals as a
    inner join app.projects as p on a.project_id = p.id where p.client_id = tests.get('acme')
));

-- Nobody: the portal role with no session, a revoked one, an expired one.
select tests.as_portal(tests.get('tenant'), tests.get('acme'), tests.get('pat'));
select throws_ok('select portal.check_session()', 'PT401', null, 'the portal role without a session is refused');
select throws_ok('select * from app.portal_sessions', '42501', null, 'and reads no table directly');
select tests.as_contact(tests.get('pat_session'));
select is((select count(*)::integer from portal.orders), 1, 'a contact sees its client''s order');
select is(
    (select count(*)::integer from portal.orders where id = tests.get('other_order')), 0,
    'and not another client''s'
);

-- Capabilities: view only, then back to the client's default (all four).
select tests.as_superuser();
update app.contacts set portal_capabilities = '{view}'
where id = tests.get('pat');
select tests.as_contact(tests.get('pat_session'));
select throws_ok(
    format($$select * from portal.create_upload(%L, '{"file_name": "s.csv", "size": 10}')$$, tests.get('order')),
    'PT403', 'You may not upload files for this client.', 'a viewer may not upload'
);
select throws_ok(
    format('select * from portal.begin_checkout(%L)', tests.get('invoice')), 'PT403', null, 'nor pay'
);
select throws_ok(
    format($$select * from portal.decide_approval(%L, 'approved')$$, current_setting('tests.token')), 'PT403', null,
    'nor decide an approval, even with its token'
);
select is(
    (
        select portal.approval_token(a.id) from portal.approvals as a
        order by a.id limit 1
    ), null,
    'nor is given an approval''s link'
);
-- By the emailed link alone, the link's approver decides as itself: cut back to viewing, it may not either.
select tests.as_superuser();
update app.approvals set approver_contact_id = tests.get('pat')
where token_hash = internal.token_hash(current_setting('tests.token'));
select tests.as_anon();
select is(
    (select can_decide from portal.approval_preview(current_setting('tests.token'))), false,
    'the link shows a viewer that it may not decide'
);
select throws_ok(
    format($$select * from api.decide_approval(%L, 'approved')$$, current_setting('tests.token')), 'PT403', null,
    'nor may a viewer decide by the emailed link alone'
);
select ok(
    (select count(*) from portal.approval_files(current_setting('tests.token'))) > 0,
    'while the approval is open, its link shows the proofs'
);
select tests.as_superuser();
update app.contacts set portal_capabilities = '{}'
where id = tests.get('pat');
select tests.as_portal(tests.get('tenant'), tests.get('acme'), tests.get('pat'));
select tests.set('pgpsa.portal_session_id', tests.get('pat_session')::text);
select throws_ok('select portal.check_session()', 'PT401', null, 'without view, the session stops');
select tests.as_superuser();
update app.contacts set portal_capabilities = null
where id = tests.get('pat');

-- With the capabilities: upload, complete, comment, decide.
select tests.as_contact(tests.get('pat_session'));
select tests.remember('upload', (
    select file_id from portal.create_upload(tests.get('order'), '{"file_name": "s.csv", "size": 10}')
));
select is(
    (select state from portal.files where id = tests.get('upload')),
    'pending',
    'an upload starts pending, as the contact''s'
);
select tests.as_contact(tests.get('sam_session'));
select throws_ok(
    format($$select portal.complete_upload(%L, 10, repeat('c', 64))$$, tests.get('upload')), 'PT404', null,
    'another contact cannot complete it'
);
select tests.as_contact(tests.get('pat_session'));
select is(
    portal.complete_upload(tests.get('upload'), 10, repeat('c', 64)), tests.get('upload'), 'its contact completes it'
);
select is((select state from portal.files where id = tests.get('upload')), 'pending_scan', 'and it waits for its scan');
select tests.authenticate_as(tests.get('manager'));
select is((select count(*)::integer from api.files where id = tests.get('upload')), 1, 'a manager sees it waiting');
select tests.authenticate_as(tests.get('designer'));
select is((select count(*)::integer from api.files where id = tests.get('upload')), 0, 'a designer does not, yet');
select tests.as_worker(tests.get('tenant'));
select is(api.file_scanned(tests.get('upload'), true), 'available', 'the scan passes it');
select tests.authenticate_as(tests.get('designer'));
select is((select count(*)::integer from api.files where id = tests.get('upload')), 1, 'and then the designer sees it');
select tests.as_contact(tests.get('pat_session'));
select throws_ok(
    format($$select portal.add_comment(%L, 'Hidden?')$$, tests.get('hidden_task')), 'PT404', null,
    'a contact cannot comment on a task the client is not shown'
);
select tests.remember('comment', portal.add_comment(tests.get('shown_task'), 'Looks good'));
select is(
    (select from_client from portal.comments where id = tests.get('comment')), true,
    'and comments on one it is shown, its comment shown to the client'
);
select
    tests.remember(
        'approval', (select approval_id from portal.decide_approval(current_setting('tests.token'), 'approved'))
    );
select is(
    (select decided_by_contact_id from portal.approvals where id = tests.get('approval')), tests.get('pat'),
    'a decision on the portal is recorded with the contact'
);
select tests.as_anon();
select is(
    (select count(*)::integer from portal.approval_files(current_setting('tests.token'))), 0,
    'once decided, the link alone hands out no proofs'
);
select is(
    (select can_decide from portal.approval_preview(current_setting('tests.token'))), false,
    'nor offers a decision'
);

-- Staff: revoke (clients:write), not from another tenant, not as a designer.
select tests.authenticate_as(tests.get('designer'));
select throws_ok(
    format('select * from api.revoke_contact_sessions(%L)', tests.get('pat')), 'PT403', null,
    'a designer may not end sessions'
);
select tests.authenticate_as(tests.get('other_manager'));
select throws_ok(
    format('select * from api.revoke_contact_sessions(%L)', tests.get('pat')), 'PT404', null,
    'staff of another tenant find no such contact'
);
select tests.authenticate_as(tests.get('manager'));
select is(
    (select ended from api.revoke_contact_sessions(tests.get('pat'))), 1, 'the manager ends the contact''s session'
);
select tests.as_portal(tests.get('tenant'), tests.get('acme'), tests.get('pat'));
select tests.set('pgpsa.portal_session_id', tests.get('pat_session')::text);
select throws_ok('select portal.check_session()', 'PT401', null, 'and its next request is refused');

-- Sign-in: a code locks after 5 wrong tries; a magic link is used once; asking is limited per email.
select tests.authenticate_as(tests.get('manager'));
select tests.set('tests.share', (
    select share_token from api.rotate_share_link((select id from api.projects where client_id = tests.get('acme')))
));
select tests.as_anon();
select portal.request_code(current_setting('tests.share'), 'acme-two@example.test', '192.0.2.9');
select is(
    array(
        select (portal.verify_code(current_setting('tests.share'), 'acme-two@example.test', 'x', '192.0.2.9')).outcome
        from generate_series(1, 6)
    ),
    '{wrong,wrong,wrong,wrong,locked,locked}'::text[], 'five wrong tries lock the code'
);
select portal.request_magic_link('acme-two@example.test', '192.0.2.9');
select tests.as_owner(tests.get('tenant'));
select tests.set('tests.magic', (
    select internal.decrypt_secret(token_encrypted) from app.portal_magic_links
    order by created_at desc limit 1
));
select tests.as_anon();
select is(
    (select outcome from portal.exchange_magic_link(current_setting('tests.magic'), '192.0.2.9')), 'ok',
    'a magic link opens a session'
);
select is(
    (select outcome from portal.exchange_magic_link(current_setting('tests.magic'), '192.0.2.9')), 'used',
    'once'
);
select is(
    array(select portal.request_magic_link('acme-two@example.test', '192.0.2.9') from generate_series(1, 5)),
    '{false,false,false,false,true}'::text[]::boolean[], 'the sixth ask in 15 minutes is throttled'
);

-- The throttle forgets: 30 requests two days old of a subject that never came back, then one new request.
select tests.as_superuser();
insert into internal.portal_throttle (subject, at)
select
    'link:ip:198.51.100.7' as subject,
    now() - interval '2 days' as at
from generate_series(1, 30);
select is(
    internal.portal_hit('link:ip:198.51.100.8', 30, interval '15 minutes'), false, 'a new address is not limited'
);
select is(
    (select count(*) from internal.portal_throttle where at < now() - interval '1 day')::int, 10,
    'and its request cleared 20 of the 30 rows past a day'
);

select * from finish();
rollback;
