-- The delivery KPIs of the fixture tenant (db/tests/helpers/fixtures_bi.sql), worked out by hand, read as the
-- tenant's BI login: work in progress, project health (the same colours api.project_health gives), on-time delivery
-- by month (a job finished on its promised day is on time, in UTC whatever the session's zone), revisions by stage.
begin;
select plan(6);

select tests.remember('tenant', tests.bi_tenant('bi-delivery'));
select tests.remember('mia', (select u.id from app.users as u where u.email = 'mia@bi-delivery.test'));
select tests.set('tests.login', internal.create_db_login('bi', tests.get('tenant'), 'delivery', 'x'));
select tests.as_login(current_setting('tests.login')::name);

-- now() is the transaction's, so the fixture's due times are exact hours from it.
select tests.results_eq(
    $$select project_code, status, stage_code, stage_status, hours_remaining, open_tasks from bi.wip
      order by due_at nulls last, project_code, stage_code$$,
    $$values
        -- P5's design, due 2 hours ago (marked overdue): Draft 1, 2, 3 (todo), Hours (in_progress), Mount
        -- (in_review) open; Artwork (approved) and Internal (completed) done: 5
        ('PRJ-P5', 'active', 'design', 'overdue', -2::numeric, 5::bigint),
        -- P3's design, due in 36 hours: Sketch A (todo), B (in_progress), C (blocked) open; Design hours, Idle hours
        -- (completed) done: 3
        ('PRJ-P3', 'active', 'design', 'active', 36, 3),
        -- the print stages, pending (no due time yet), one open task each
        ('PRJ-P3', 'active', 'print', 'pending', null, 1),
        ('PRJ-P5', 'active', 'print', 'pending', null, 1)$$,
    'WIP: the stages not completed of the projects not completed, their hours left and open tasks'
);

select tests.set('tests.health', $$values
    -- completed projects: their tasks are done, and a completed project is never stale
    ('PRJ-P1', 'completed', 0, false, 'green'),
    ('PRJ-P2', 'completed', 0, false, 'green'),
    -- Sketch A, B, C due 1, 2 and 30 days ago and not done: 3 overdue, red
    ('PRJ-P3', 'active', 3, false, 'red'),
    -- Draft 1 and 2 due 1 and 5 days ago: 2, yellow (Draft 3 is due today: not overdue yet)
    ('PRJ-P5', 'active', 2, false, 'yellow'),
    ('PRJ-P6', 'completed', 0, false, 'green'),
    -- active, 10 days old, no task touched in 7 days (it has none): stale, red
    ('PRJ-P7', 'active', 0, true, 'red')$$);
select tests.results_eq(
    'select project_code, status, overdue_tasks, stale, health from bi.project_health order by project_code',
    current_setting('tests.health'),
    'project health (seed 000): green 0 overdue tasks, yellow 1 or 2, red 3 or more or stale'
);

select tests.set('tests.on_time', $$values
    -- SO-6 promised bi_month(2) + 20; P6 completed bi_month(2) + 15: 1 delivered, on time, 100.00 %
    (tests.bi_month(2), 1, 1, 0, 100.00),
    -- SO-1 promised bi_month(1) + 10; P1 completed that very day at 23:30 UTC: on time. SO-2 promised
    -- bi_month(1) + 5; P2 completed the day after: late. 2 delivered, 1 on time, 50.00 %. SO-3 (P3 active), SO-4
    -- (cancelled) and SO-5 (no project) are not delivered; P5 and P7 have no order and so no promise.
    (tests.bi_month(1), 2, 1, 1, 50.00)$$);
select tests.results_eq(
    'select month, delivered, on_time, late, on_time_pct from bi.on_time_delivery order by month',
    current_setting('tests.on_time'),
    'on-time delivery by the month the job was completed: finished on the promised day counts as on time'
);
-- At UTC+14, P1's 23:30 UTC is the next morning: the day is still the UTC one.
select tests.set('timezone', 'Pacific/Kiritimati');
select tests.results_eq(
    'select month, delivered, on_time, late, on_time_pct from bi.on_time_delivery order by month',
    current_setting('tests.on_time'), 'the same in a session at UTC+14'
);
select tests.set('timezone', 'UTC');

select tests.results_eq(
    'select stage_code, stages, revised_stages, revisions, revisions_per_stage from bi.revisions_by_stage order by 1',
    $$values
        -- design in P1, P2, P3, P5, P6: P1's approval had 2 revisions, P2's 1 (P3's is pending): 3 / 5 = 0.60
        ('design', 5, 2, 3, 0.60),
        ('print', 5, 0, 0, 0.00)$$,
    'revisions by stage code, beside how many stages carry the code'
);

-- The colours are api.project_health's: the tenant's manager sees the same through the team API.
select tests.authenticate_as(tests.get('mia'));
select tests.results_eq(
    $$select p.project_code, p.status, h.overdue_tasks, h.stale, h.health from api.project_health as h
      inner join api.projects as p on h.project_id = p.id order by p.project_code$$,
    current_setting('tests.health'),
    'api.project_health gives every project the colour bi.project_health gives it'
);
select * from finish();
rollback;
