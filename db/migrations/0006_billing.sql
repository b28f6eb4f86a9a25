-- Billing (seeds 000 and 003): invoices and their lines, payments and their applications, Stripe checkouts and
-- webhook events. Totals and balances are computed from the lines and applications (api.invoices), never stored.
-- depends: 0005_delivery

-- The one rounding rule for money (README "Billing"): a line's amount rounds half-up to cents, and its discount and
-- tax are computed from rounded amounts and rounded too. Every priced line (invoice, quote and order lines) takes
-- its generated columns from these functions, so the rule has one place.
create function internal.line_gross(p_quantity numeric, p_unit_price numeric) returns numeric
language sql immutable parallel safe
begin atomic
    select round(p_quantity * p_unit_price, 2);
end;

create function internal.line_discount(p_quantity numeric, p_unit_price numeric, p_discount_pct numeric)
returns numeric
language sql immutable parallel safe
begin atomic
    select round(internal.line_gross(p_quantity, p_unit_price) * p_discount_pct / 100, 2);
end;

create function internal.line_net(p_quantity numeric, p_unit_price numeric, p_discount_pct numeric) returns numeric
language sql immutable parallel safe
begin atomic
    select
        internal.line_gross(p_quantity, p_unit_price)
        - internal.line_discount(p_quantity, p_unit_price, p_discount_pct);
end;

create function internal.line_tax(
    p_quantity numeric, p_unit_price numeric, p_discount_pct numeric, p_tax_rate numeric
) returns numeric
language sql immutable parallel safe
begin atomic
    select round(internal.line_net(p_quantity, p_unit_price, p_discount_pct) * p_tax_rate / 100, 2);
end;

grant execute on function internal.line_gross(numeric, numeric), internal.line_discount(numeric, numeric, numeric),
internal.line_net(numeric, numeric, numeric), internal.line_tax(numeric, numeric, numeric, numeric)
to pgpsa_staff, pgpsa_portal, pgpsa_bi;

create table app.invoices (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    invoice_number text,
    client_id uuid not null,
    order_id uuid,
    project_id uuid,
    kind text not null default 'manual',
    status text not null default 'draft',
    issue_date date,
    due_date date,
    currency char(3) not null default 'USD',
    notes text,
    sent_at timestamptz,
    voided_at timestamptz,
    void_reason text,
    created_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_invoices primary key (tenant_id, id),
    constraint fk_invoices_client_id_clients foreign key (tenant_id, client_id) references app.clients (tenant_id, id),
    constraint fk_invoices_project_id_projects foreign key (tenant_id, project_id)
    references app.projects (tenant_id, id),
    constraint fk_invoices_created_by_users foreign key (tenant_id, created_by) references app.users (tenant_id, id),
    constraint unique_invoices_invoice_number unique (tenant_id, invoice_number),
    constraint check_invoices_kind check (kind in ('deposit', 'final', 'progress', 'contract', 'manual')),
    constraint check_invoices_status check (status in ('draft', 'sent', 'partial', 'paid', 'void')),
    constraint check_invoices_number check ((status = 'draft') = (invoice_number is null)),
    constraint check_invoices_currency check (currency ~ '^[A-Z]{3}$'),
    constraint check_invoices_due_date check (due_date >= issue_date),
    constraint check_invoices_void check ((status = 'void') = (voided_at is not null))
);
comment on constraint fk_invoices_client_id_clients on app.invoices is 'No such client in this tenant.';
comment on constraint fk_invoices_project_id_projects on app.invoices is 'No such project in this tenant.';
comment on constraint check_invoices_due_date on app.invoices is 'An invoice cannot be due before its issue date.';
comment on constraint check_invoices_currency on app.invoices is 'A currency is a three-letter ISO code such as USD.';
create index index_invoices_on_client_id on app.invoices (tenant_id, client_id, status);
create index index_invoices_on_project_id on app.invoices (tenant_id, project_id);
create index index_invoices_on_order_id on app.invoices (tenant_id, order_id);
create index index_invoices_on_created_by on app.invoices (tenant_id, created_by);
create index index_invoices_on_status_due_date on app.invoices (tenant_id, status, due_date);

create table app.invoice_lines (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    invoice_id uuid not null,
    sequence integer not null default 1,
    description text not null,
    quantity numeric(12, 2) not null,
    unit_price numeric(12, 2) not null,
    tax_rate numeric(5, 2) not null default 0,
    -- Invoice totals are sums of these rounded lines.
    line_total numeric(12, 2) generated always as (internal.line_net(quantity, unit_price, 0)) stored,
    tax_amount numeric(12, 2) generated always as (internal.line_tax(quantity, unit_price, 0, tax_rate)) stored,
    source_type text not null default 'manual',
    order_item_id uuid,
    task_id uuid,
    contract_line_id uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_invoice_lines primary key (tenant_id, id),
    constraint fk_invoice_lines_invoice_id_invoices foreign key (tenant_id, invoice_id)
    references app.invoices (tenant_id, id) on delete cascade,
    constraint fk_invoice_lines_task_id_tasks foreign key (tenant_id, task_id) references app.tasks (tenant_id, id),
    constraint check_invoice_lines_quantity check (quantity > 0),
    constraint check_invoice_lines_unit_price check (unit_price >= 0),
    constraint check_invoice_lines_tax_rate check (tax_rate >= 0 and tax_rate <= 100),
    constraint check_invoice_lines_description check (btrim(description) <> ''),
    constraint check_invoice_lines_source check (
        source_type in ('order_item', 'task', 'contract_line', 'manual')
        and (source_type <> 'task' or task_id is not null)
        and (source_type <> 'order_item' or order_item_id is not null)
        and (source_type <> 'contract_line' or contract_line_id is not null)
    )
);
comment on constraint check_invoice_lines_quantity on app.invoice_lines is 'A line quantity is more than zero.';
comment on constraint check_invoice_lines_unit_price on app.invoice_lines is 'A unit price is zero or more.';
comment on constraint check_invoice_lines_tax_rate on app.invoice_lines is 'A tax rate is a percentage from 0 to 100.';
comment on constraint check_invoice_lines_description on app.invoice_lines is 'A line needs a description.';
create index index_invoice_lines_on_invoice_id on app.invoice_lines (tenant_id, invoice_id, sequence);
create index index_invoice_lines_on_task_id on app.invoice_lines (tenant_id, task_id);
create index index_invoice_lines_on_order_item_id on app.invoice_lines (tenant_id, order_item_id);
create index index_invoice_lines_on_contract_line_id on app.invoice_lines (tenant_id, contract_line_id);

-- A task is billed once: it points at the invoice that billed it; deleting a draft releases it.
alter table app.tasks add constraint fk_tasks_invoice_id_invoices foreign key (tenant_id, invoice_id)
references app.invoices (tenant_id, id) on delete set null (invoice_id);
drop index app.index_tasks_on_invoice_id;
create index index_tasks_on_invoice_id on app.tasks (tenant_id, invoice_id);

create table app.payments (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    payment_number text not null,
    client_id uuid not null,
    method text not null,
    reference text,
    amount numeric(12, 2) not null,
    currency char(3) not null default 'USD',
    received_at timestamptz not null default now(),
    status text not null default 'received',
    created_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_payments primary key (tenant_id, id),
    constraint fk_payments_client_id_clients foreign key (tenant_id, client_id) references app.clients (tenant_id, id),
    constraint fk_payments_created_by_users foreign key (tenant_id, created_by) references app.users (tenant_id, id),
    constraint unique_payments_payment_number unique (tenant_id, payment_number),
    constraint check_payments_method check (method in ('cash', 'check', 'card', 'ach', 'wire', 'stripe', 'other')),
    constraint check_payments_amount check (amount > 0),
    constraint check_payments_status check (status in ('received', 'void')),
    constraint check_payments_currency check (currency ~ '^[A-Z]{3}$')
);
comment on constraint check_payments_amount on app.payments is 'A payment amount is more than zero.';
comment on constraint check_payments_method on app.payments is
'A payment method is cash, check, card, ach, wire, stripe or other.';
comment on constraint fk_payments_client_id_clients on app.payments is 'No such client in this tenant.';
comment on constraint check_payments_currency on app.payments is 'A currency is a three-letter ISO code such as USD.';
create index index_payments_on_client_id on app.payments (tenant_id, client_id, status);
create index index_payments_on_created_by on app.payments (tenant_id, created_by);

create table app.payment_applications (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    payment_id uuid not null,
    invoice_id uuid not null,
    amount numeric(12, 2) not null,
    applied_by uuid,
    applied_at timestamptz not null default now(),
    constraint pk_payment_applications primary key (tenant_id, id),
    constraint fk_payment_applications_payment_id_payments foreign key (tenant_id, payment_id)
    references app.payments (tenant_id, id),
    constraint fk_payment_applications_invoice_id_invoices foreign key (tenant_id, invoice_id)
    references app.invoices (tenant_id, id),
    constraint fk_payment_applications_applied_by_users foreign key (tenant_id, applied_by)
    references app.users (tenant_id, id),
    constraint check_payment_applications_amount check (amount > 0)
);
comment on constraint check_payment_applications_amount on app.payment_applications is
'An amount applied is more than zero.';
create index index_payment_applications_on_payment_id on app.payment_applications (tenant_id, payment_id);
create index index_payment_applications_on_invoice_id on app.payment_applications (tenant_id, invoice_id);
create index index_payment_applications_on_applied_by on app.payment_applications (tenant_id, applied_by);

-- Stripe: one checkout per invoice and attempt (the idempotency key derives from both), and every webhook event
-- id once, stored in the same transaction as its effect.
create table app.stripe_checkouts (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    invoice_id uuid not null,
    attempt integer not null,
    idempotency_key text not null,
    -- What the attempt asked for: a retry reuses the attempt (and its key) only for the same amount.
    amount_due numeric(12, 2) not null,
    stripe_session_id text,
    url text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_stripe_checkouts primary key (tenant_id, id),
    constraint fk_stripe_checkouts_invoice_id_invoices foreign key (tenant_id, invoice_id)
    references app.invoices (tenant_id, id),
    constraint unique_stripe_checkouts_attempt unique (tenant_id, invoice_id, attempt),
    constraint check_stripe_checkouts_attempt check (attempt > 0)
);

create table app.stripe_events (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    event_id text not null,
    event_type text not null,
    invoice_id uuid,
    payment_id uuid,
    outcome text not null,
    received_at timestamptz not null default now(),
    constraint pk_stripe_events primary key (tenant_id, id),
    constraint fk_stripe_events_invoice_id_invoices foreign key (tenant_id, invoice_id)
    references app.invoices (tenant_id, id),
    constraint fk_stripe_events_payment_id_payments foreign key (tenant_id, payment_id)
    references app.payments (tenant_id, id),
    constraint unique_stripe_events_event_id unique (tenant_id, event_id),
    constraint check_stripe_events_outcome check (outcome in ('applied', 'already_paid', 'ignored'))
);
create index index_stripe_events_on_invoice_id on app.stripe_events (tenant_id, invoice_id);
create index index_stripe_events_on_payment_id on app.stripe_events (tenant_id, payment_id);

-- A stage can wait for the deposit (seed 003 §5.2): it starts only once the project's deposit invoices are paid.
alter table app.template_stages add column requires_deposit boolean not null default false;
alter table app.stages add column requires_deposit boolean not null default false;
