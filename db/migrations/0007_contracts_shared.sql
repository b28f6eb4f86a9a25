-- Contracts in their older, shared shape (seed 001 "Problem"): templates and their lines; contracts as headers
-- with lines and child config rows but no owner, so one non-template contract can be assigned to several clients;
-- client_contracts as assignment windows; contract-scoped documents; invoices able to reference both.
-- 0008_contracts_client_owned splits the shared ones and makes contracts client-owned.
-- depends: 0006_billing

create table app.contract_templates (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    name text not null,
    description text,
    billing_frequency text not null default 'monthly',
    currency char(3) not null default 'USD',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_contract_templates primary key (tenant_id, id),
    constraint fk_contract_templates_tenant_id_tenants foreign key (tenant_id) references app.tenants (id),
    constraint check_contract_templates_billing_frequency check (
        billing_frequency in ('monthly', 'quarterly', 'annually')
    ),
    constraint check_contract_templates_name check (btrim(name) <> '')
);

create table app.contract_template_lines (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    template_id uuid not null,
    sequence integer not null default 1,
    name text not null,
    line_type text not null,
    amount numeric(12, 2),
    hourly_rate numeric(12, 2),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_contract_template_lines primary key (tenant_id, id),
    constraint fk_contract_template_lines_template_id_contract_templates foreign key (tenant_id, template_id)
    references app.contract_templates (tenant_id, id) on delete cascade,
    constraint check_contract_template_lines_type check (
        line_type in ('fixed', 'hourly') and (line_type <> 'fixed' or amount >= 0)
        and (line_type <> 'hourly' or hourly_rate >= 0)
    )
);
comment on constraint check_contract_template_lines_type on app.contract_template_lines is
'A contract line is fixed (with an amount per period) or hourly (with an hourly rate).';
create index index_contract_template_lines_on_template_id on app.contract_template_lines (tenant_id, template_id);

create table app.contracts (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    name text not null,
    description text,
    -- Header / draft workflow state only; a client's live status comes from client_contracts.
    status text not null default 'draft',
    is_active boolean not null default false,
    billing_frequency text not null default 'monthly',
    currency char(3) not null default 'USD',
    is_template boolean not null default false,
    template_id uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_contracts primary key (tenant_id, id),
    constraint fk_contracts_tenant_id_tenants foreign key (tenant_id) references app.tenants (id),
    constraint fk_contracts_template_id_contract_templates foreign key (tenant_id, template_id)
    references app.contract_templates (tenant_id, id),
    constraint check_contracts_status check (status in ('draft', 'published', 'archived')),
    constraint check_contracts_billing_frequency check (billing_frequency in ('monthly', 'quarterly', 'annually')),
    constraint check_contracts_name check (btrim(name) <> '')
);
create index index_contracts_on_template_id on app.contracts (tenant_id, template_id);

create table app.contract_lines (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    contract_id uuid not null,
    sequence integer not null default 1,
    name text not null,
    line_type text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_contract_lines primary key (tenant_id, id),
    constraint fk_contract_lines_contract_id_contracts foreign key (tenant_id, contract_id)
    references app.contracts (tenant_id, id) on delete cascade,
    constraint check_contract_lines_type check (line_type in ('fixed', 'hourly'))
);
create index index_contract_lines_on_contract_id on app.contract_lines (tenant_id, contract_id);

-- A line's configuration: the services it covers, its rate, and dated pricing schedules.
create table app.contract_line_services (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    contract_line_id uuid not null,
    service_name text not null,
    quantity numeric(12, 2) not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_contract_line_services primary key (tenant_id, id),
    constraint fk_contract_line_services_contract_line_id_contract_lines foreign key (tenant_id, contract_line_id)
    references app.contract_lines (tenant_id, id) on delete cascade
);
create index index_contract_line_services_on_contract_line_id on app.contract_line_services (
    tenant_id, contract_line_id
);

create table app.contract_line_rates (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    contract_line_id uuid not null,
    amount numeric(12, 2),
    hourly_rate numeric(12, 2),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_contract_line_rates primary key (tenant_id, id),
    constraint fk_contract_line_rates_contract_line_id_contract_lines foreign key (tenant_id, contract_line_id)
    references app.contract_lines (tenant_id, id) on delete cascade,
    constraint unique_contract_line_rates_line unique (tenant_id, contract_line_id),
    constraint check_contract_line_rates_amounts check (amount >= 0 and hourly_rate >= 0)
);

create table app.contract_line_pricing_schedules (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    contract_line_id uuid not null,
    effective_from date not null,
    effective_to date,
    amount numeric(12, 2) not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_contract_line_pricing_schedules primary key (tenant_id, id),
    constraint fk_contract_line_pricing_schedules_line foreign key (tenant_id, contract_line_id)
    references app.contract_lines (tenant_id, id) on delete cascade,
    constraint check_contract_line_pricing_schedules_dates check (effective_to >= effective_from)
);
create index index_contract_line_pricing_schedules_on_line on app.contract_line_pricing_schedules (
    tenant_id, contract_line_id, effective_from
);

create table app.client_contracts (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    client_id uuid not null,
    contract_id uuid not null,
    start_date date not null,
    end_date date,
    is_active boolean not null default false,
    renewal_state text not null default 'none',
    po_number text,
    terminated_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_client_contracts primary key (tenant_id, id),
    constraint fk_client_contracts_client_id_clients foreign key (tenant_id, client_id)
    references app.clients (tenant_id, id),
    constraint fk_client_contracts_contract_id_contracts foreign key (tenant_id, contract_id)
    references app.contracts (tenant_id, id),
    constraint check_client_contracts_dates check (end_date >= start_date),
    constraint check_client_contracts_renewal_state check (
        renewal_state in ('none', 'pending_renewal', 'renewed', 'declined')
    )
);
comment on constraint check_client_contracts_dates on app.client_contracts is
'An assignment cannot end before it starts.';
create index index_client_contracts_on_client_id on app.client_contracts (tenant_id, client_id, start_date);
create index index_client_contracts_on_contract_id on app.client_contracts (tenant_id, contract_id);

-- Documents attached to a contract (not to an assignment): the split cannot tell whose they are.
create table app.contract_documents (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    contract_id uuid not null,
    file_id uuid not null,
    created_at timestamptz not null default now(),
    constraint pk_contract_documents primary key (tenant_id, id),
    constraint fk_contract_documents_contract_id_contracts foreign key (tenant_id, contract_id)
    references app.contracts (tenant_id, id) on delete cascade,
    constraint fk_contract_documents_file_id_files foreign key (tenant_id, file_id) references app.files (
        tenant_id, id
    ),
    constraint unique_contract_documents_file unique (tenant_id, contract_id, file_id)
);
create index index_contract_documents_on_file_id on app.contract_documents (tenant_id, file_id);

-- Invoices and their lines reference the assignment and the contract line they bill; time can be logged against a
-- contract line (billed by the contract, not by the project).
alter table app.invoices add column client_contract_id uuid;
alter table app.invoices add constraint fk_invoices_client_contract_id_client_contracts
foreign key (tenant_id, client_contract_id) references app.client_contracts (tenant_id, id);
create index index_invoices_on_client_contract_id on app.invoices (tenant_id, client_contract_id);
alter table app.invoice_lines add column client_contract_id uuid;
alter table app.invoice_lines add constraint fk_invoice_lines_client_contract_id_client_contracts
foreign key (tenant_id, client_contract_id) references app.client_contracts (tenant_id, id);
create index index_invoice_lines_on_client_contract_id on app.invoice_lines (tenant_id, client_contract_id);
alter table app.invoice_lines add constraint fk_invoice_lines_contract_line_id_contract_lines
foreign key (tenant_id, contract_line_id) references app.contract_lines (tenant_id, id);
alter table app.time_entries add column contract_line_id uuid;
alter table app.time_entries add constraint fk_time_entries_contract_line_id_contract_lines
foreign key (tenant_id, contract_line_id) references app.contract_lines (tenant_id, id);
create index index_time_entries_on_contract_line_id on app.time_entries (tenant_id, contract_line_id, work_date);

-- Which assignment was billed for which period, by which invoice: never twice for overlapping periods.
create table app.contract_billings (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    client_contract_id uuid not null,
    invoice_id uuid not null,
    period_start date not null,
    period_end date not null,
    created_at timestamptz not null default now(),
    constraint pk_contract_billings primary key (tenant_id, id),
    constraint fk_contract_billings_client_contract_id_client_contracts foreign key (tenant_id, client_contract_id)
    references app.client_contracts (tenant_id, id),
    constraint fk_contract_billings_invoice_id_invoices foreign key (tenant_id, invoice_id)
    references app.invoices (tenant_id, id) on delete cascade,
    constraint check_contract_billings_period check (period_end >= period_start),
    constraint exclude_contract_billings_overlap exclude using gist (
        tenant_id with =, client_contract_id with =, daterange(period_start, period_end, '[]') with &&
    )
);
comment on constraint exclude_contract_billings_overlap on app.contract_billings is
'This assignment is already billed for part of that period.';
create index index_contract_billings_on_invoice_id on app.contract_billings (tenant_id, invoice_id);
