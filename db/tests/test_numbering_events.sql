-- Per-tenant document numbers (gapless, a rollback gives the number back) and the domain-events outbox.
begin;
select plan(9);

select tests.create_tenant('num-a') as tenant_a \gset
select tests.create_tenant('num-b') as tenant_b \gset
select tests.create_user(:'tenant_a', 'designer') as designer_a \gset
select tests.create_user(:'tenant_b', 'designer') as designer_b \gset

select tests.authenticate_as(:'designer_a');
select is(internal.next_document_number('invoice'), 'INV-000001', 'the first invoice number of a tenant');
select is(internal.next_document_number('invoice'), 'INV-000002', 'numbers follow on');
select is(internal.next_document_number('quote'), 'Q-000001', 'each kind counts on its own');

savepoint before_rollback;
select internal.next_document_number('invoice');
rollback to savepoint before_rollback;
select is(internal.next_document_number('invoice'), 'INV-000003', 'a rolled-back number is given again: no gap');

select tests.authenticate_as(:'designer_b');
select is(internal.next_document_number('invoice'), 'INV-000001', 'another tenant counts from one');
select throws_ok(
    $$select internal.next_document_number('receipt')$$, '23503', null, 'an unknown document kind is refused'
);
select tests.clear_authentication();
select throws_ok(
    $$select internal.next_document_number('invoice')$$, '42501', null, 'no number is given with no tenant set'
);

-- Events are written through record_event in the caller's transaction, stamped with tenant and actor.
select tests.authenticate_as(:'designer_a');
select internal.record_event('client.changed', 'client', gen_random_uuid(), '{"why": "test"}') as ev \gset
select tests.as_superuser();
select results_eq(
    format('select tenant_id, actor_user_id, delivered_at from app.domain_events where id = %L', :'ev'),
    format('values (%L::uuid, %L::uuid, null::timestamptz)', :'tenant_a', :'designer_a'),
    'an event is stamped with the tenant and actor and waits for delivery'
);
select tests.authenticate_as(:'designer_a');
select throws_ok(
    format($$insert into app.domain_events (tenant_id, event_type, aggregate_type) values (%L, 'x.y', 'x')$$,
        :'tenant_a'),
    '42501', null, 'staff cannot write the outbox directly'
);

select * from finish();
rollback;
