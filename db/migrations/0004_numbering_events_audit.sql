-- Per-tenant gapless document numbers, the domain-events outbox, and the append-only audit log.
-- depends: 0003_clients

-- Document kinds are global (seed 003 prefixes); counters are per tenant and kind.
create table app.document_kinds (
    kind text not null,
    prefix text not null,
    constraint pk_document_kinds primary key (kind),
    constraint unique_document_kinds_prefix unique (prefix)
);
insert into app.document_kinds (kind, prefix) values
('quote', 'Q-'), ('order', 'SO-'), ('project', 'PRJ-'), ('invoice', 'INV-'), ('payment', 'PAY-'), ('job', 'JOB-');

-- One row per tenant and kind, updated in the caller's transaction: a rollback gives the number back.
create table app.document_counters (
    tenant_id uuid not null,
    kind text not null,
    last_value bigint not null,
    updated_at timestamptz not null default now(),
    constraint pk_document_counters primary key (tenant_id, kind),
    constraint fk_document_counters_tenant_id_tenants foreign key (tenant_id) references app.tenants (id),
    constraint fk_document_counters_kind_document_kinds foreign key (kind) references app.document_kinds (kind),
    constraint check_document_counters_last_value check (last_value > 0)
);
create index index_document_counters_on_kind on app.document_counters (kind);

-- Outbox: written in the same transaction as the change that causes the event; a worker delivers it.
create table app.domain_events (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    event_type text not null,
    aggregate_type text not null,
    aggregate_id uuid,
    payload jsonb not null default '{}',
    actor_user_id uuid,
    occurred_at timestamptz not null default now(),
    delivered_at timestamptz,
    attempts integer not null default 0,
    last_error text,
    constraint pk_domain_events primary key (tenant_id, id),
    constraint fk_domain_events_tenant_id_tenants foreign key (tenant_id) references app.tenants (id),
    constraint check_domain_events_event_type check (event_type ~ '^[a-z_]+\.[a-z_]+$'),
    constraint check_domain_events_payload check (jsonb_typeof(payload) = 'object')
);
create index index_domain_events_on_undelivered on app.domain_events (tenant_id, occurred_at)
where delivered_at is null;
create index index_domain_events_on_aggregate on app.domain_events (tenant_id, aggregate_type, aggregate_id);

-- No foreign keys: history outlives the rows it describes.
create table audit.audit_log (
    tenant_id uuid not null,
    id bigint generated always as identity,
    occurred_at timestamptz not null default clock_timestamp(),
    actor_user_id uuid,
    actor_contact_id uuid,
    db_role name not null default current_user,
    request_id text,
    ip inet,
    action text not null,
    table_name text not null,
    row_key jsonb not null,
    payload_hash text not null,
    old_values jsonb,
    new_values jsonb,
    constraint pk_audit_log primary key (tenant_id, id),
    constraint check_audit_log_action check (action in ('insert', 'update', 'delete'))
);
create index index_audit_log_on_row on audit.audit_log (tenant_id, table_name, row_key);
