-- Per-tenant document numbers (gapless, a rollback gives the number back) and the domain-events outbox. Both are
-- written only by owner-run rules (sending an invoice, a status change): asked here as the owner, in a tenant.
begin;
select plan(10);

select tests.remember('tenant_a', tests.create_tenant('num-a'));
select tests.remember('tenant_b', tests.create_tenant('num-b'));
select tests.remember('designer_a', tests.create_user(tests.get('tenant_a'), 'designer'));
select tests.remember('designer_b', tests.create_user(tests.get('tenant_b'), 'designer'));

select tests.as_owner(tests.get('tenant_a'), tests.get('designer_a'));
select is(internal.next_document_number('invoice'), 'INV-000001', 'the first invoice number of a tenant');
select is(internal.next_document_number('invoice'), 'INV-000002', 'numbers follow on');
select is(internal.next_document_number('quote'), 'Q-000001', 'each kind counts on its own');

savepoint before_rollback;  -- noqa: PRS
select internal.next_document_number('invoice');  -- noqa: PRS
rollback to savepoint before_rollback;  -- noqa: PRS
select is(internal.next_document_number('invoice'), 'INV-000003', 'a rolled-back number is given again: no gap');

select tests.as_owner(tests.get('tenant_b'), tests.get('designer_b'));
select is(internal.next_document_number('invoice'), 'INV-000001', 'another tenant counts from one');
select throws_ok(
    $$select internal.next_document_number('receipt')$$, '23503', null, 'an unknown document kind is refused'
);
select tests.as_owner(null);
select throws_ok(
    $$select internal.next_document_number('invoice')$$, '42501', null, 'no number is given with no tenant set'
);

-- Staff take no number themselves: a number comes with the rule that needs it.
select tests.authenticate_as(tests.get('designer_a'));
select throws_ok(
    $$select internal.next_document_number('invoice')$$, '42501', null, 'staff cannot take a number directly'
);

-- Events are written through record_event in the caller's transaction, stamped with tenant and actor.
select tests.as_owner(tests.get('tenant_a'), tests.get('designer_a'));
select tests.remember('ev', internal.record_event('client.changed', 'client', gen_random_uuid(), '{"why": "test"}'));
select tests.as_superuser();
select tests.results_eq(
    format('select tenant_id, actor_user_id, delivered_at from app.domain_events where id = %L', tests.get('ev')),
    format('values (%L::uuid, %L::uuid, null::timestamptz)', tests.get('tenant_a'), tests.get('designer_a')),
    'an event is stamped with the tenant and actor and waits for delivery'
);
select tests.authenticate_as(tests.get('designer_a'));
select throws_ok(
    format($$insert into app.domain_events (tenant_id, event_type, aggregate_type) values (%L, 'x.y', 'x')$$,
        tests.get('tenant_a')),
    '42501', null, 'staff cannot write the outbox directly'
);

select * from finish();
rollback;
