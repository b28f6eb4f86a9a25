-- Automations (issue A): what event delivery, mail and schedules keep. Each event's deliveries and each mail are
-- recorded under an idempotency key, so a retried job or a second worker never does a thing twice; schedules
-- remember each period they ran per tenant; tenants say their time zone; stages remember their escalation.
-- The queue itself is procrastinate's schema `queue`, applied by `pgpsa db up` before the migrations.
-- depends: 0017_shapes_sales

-- A tenant's clock for its schedules (seed 003 §5.1: daily 08:00 means 08:00 where the tenant works).
create function internal.is_time_zone(p_name text) returns boolean
language sql immutable parallel safe set search_path = ''
-- The time zone database changes rarely and only by a server upgrade; immutable is what a check may call.
begin atomic
    select exists(select from pg_catalog.pg_timezone_names as z where z.name = p_name);
end;

create domain app.time_zone as text constraint check_time_zone check (internal.is_time_zone(value));
comment on domain app.time_zone is 'An IANA time zone name, such as Europe/Paris or America/New_York.';
comment on constraint check_time_zone on domain app.time_zone is
'A time zone is an IANA name such as Europe/Paris or America/New_York.';
alter table app.tenants add column time_zone app.time_zone not null default 'UTC';
comment on column app.tenants.time_zone is 'Where the tenant works: its schedules run at its local times.';

-- Where stock alerts and the daily reorder report go (seed 003 §5.1 "email purchasing").
alter table app.sales_settings add column purchasing_email app.email_address;
comment on column app.sales_settings.purchasing_email is 'Where stock alerts and the daily reorder report are mailed.';
alter type api.sales_settings_fields add attribute purchasing_email app.email_address;
comment on column api.sales_settings_fields.purchasing_email is
'Where stock alerts and the daily reorder report are mailed (inventory:write).';

-- An approval's token, encrypted with the installation key, so a reminder can carry the link again; the hash
-- stays the only way to find an approval by its token.
alter table app.approvals add column token_encrypted bytea;

-- A stage overdue for 24 hours escalates to the managers once (seed 003 §5.2); escalated_at is when it went overdue.
alter table app.stages add column managers_told_at timestamptz;
comment on column app.stages.escalated_at is 'When the stage went overdue (the SLA sweep marked it).';
comment on column app.stages.managers_told_at is 'When the managers were told the stage is still overdue (24 h on).';

-- Events: delivered once in effect, retried with backoff, dead after the last attempt (and retried by hand).
alter table app.domain_events add column dead_at timestamptz;
comment on column app.domain_events.dead_at is
'Set when delivery failed its last attempt; `pgpsa worker retry` clears it.';
-- Events recorded before delivery existed are history, not news: nobody is mailed about them now.
update app.domain_events set delivered_at = occurred_at
where delivered_at is null;

select internal.create_vocabulary(x.domain_name, x.words::text[], x.what) from (
    values
    ('mail_status', '{queued,sending,sent,failed}', 'A mail status')
) as x (domain_name, words, what);

-- Every message the product sends, kept: the local outbox of the embedded default and the record of SendGrid's.
create table app.outbound_mail (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    -- event id + handler + recipient: a second delivery of the same event finds its mail already here.
    idempotency_key app.reference not null,
    event_id uuid,
    template app.code not null,
    to_email app.email_address not null,
    to_name app.label,
    context jsonb not null default '{}',
    status app.mail_status not null default 'queued',
    attempts integer not null default 0,
    last_error app.note,
    provider app.code,
    provider_message_id app.reference,
    claimed_at timestamptz,
    sent_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_outbound_mail primary key (tenant_id, id),
    constraint unique_outbound_mail_idempotency_key unique (tenant_id, idempotency_key),
    constraint fk_outbound_mail_tenant_id_tenants foreign key (tenant_id) references app.tenants (id),
    constraint fk_outbound_mail_event_id_domain_events foreign key (tenant_id, event_id)
    references app.domain_events (tenant_id, id),
    constraint check_outbound_mail_context check (jsonb_typeof(context) = 'object')
);
create index index_outbound_mail_on_event_id on app.outbound_mail (tenant_id, event_id);
create index index_outbound_mail_on_status on app.outbound_mail (tenant_id, status, created_at);
comment on table app.outbound_mail is 'Every message sent or to send: template, recipient, context, and its fate.';

-- Each scheduled period a tenant ran (a daily sweep's date, the hourly sweep's hour): a second worker, or a
-- second tick of the planner, finds the period taken and runs nothing.
create table app.schedule_runs (
    tenant_id uuid not null,
    schedule app.code not null,
    period app.code not null,
    result integer,
    ran_at timestamptz not null default now(),
    constraint pk_schedule_runs primary key (tenant_id, schedule, period),
    constraint fk_schedule_runs_tenant_id_tenants foreign key (tenant_id) references app.tenants (id)
);
comment on table app.schedule_runs is 'One row per tenant, schedule and period that ran (in the tenant''s time zone).';
