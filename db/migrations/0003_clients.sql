-- Clients (seed 003 customers) and their contacts: archived with filtered unique indexes, tax id encrypted.
-- depends: 0002_identity

create table app.clients (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    account_code varchar(20) not null,
    name varchar(255) not null,
    channel varchar(50) not null,
    phone varchar(32),
    email extensions.citext,
    billing_address jsonb,
    shipping_address jsonb,
    -- pgp_sym_encrypt with the installation key; staff cannot select it, internal.client_tax_id decrypts.
    tax_id_encrypted bytea,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    archived_at timestamptz,
    constraint pk_clients primary key (tenant_id, id),
    constraint fk_clients_tenant_id_tenants foreign key (tenant_id) references app.tenants (id),
    constraint check_clients_account_code check (account_code ~ '^[A-Za-z0-9][A-Za-z0-9._-]*$'),
    constraint check_clients_name check (btrim(name) <> ''),
    constraint check_clients_channel check (btrim(channel) <> ''),
    constraint check_clients_email check (email ~ '^[^@\s]+@[^@\s]+$'),
    constraint check_clients_billing_address check (jsonb_typeof(billing_address) = 'object'),
    constraint check_clients_shipping_address check (jsonb_typeof(shipping_address) = 'object')
);
comment on constraint check_clients_account_code on app.clients is
'An account code is letters, digits, dots, hyphens or underscores (up to 20), starting with a letter or digit.';
comment on constraint check_clients_name on app.clients is 'A client needs a name.';
comment on constraint check_clients_channel on app.clients is 'A client needs a channel (for example retail or trade).';
comment on constraint check_clients_email on app.clients is 'An email address needs one @ and no spaces.';
comment on constraint check_clients_billing_address on app.clients is 'A billing address is a JSON object.';
comment on constraint check_clients_shipping_address on app.clients is 'A shipping address is a JSON object.';

create unique index unique_clients_account_code on app.clients (tenant_id, account_code) where archived_at is null;
comment on index app.unique_clients_account_code is
'Another active client already has this account code; choose another code or archive that client first.';
create unique index unique_clients_email on app.clients (tenant_id, email) where archived_at is null;
comment on index app.unique_clients_email is 'Another active client already uses this email address.';
create index index_clients_on_tenant_id_name on app.clients (tenant_id, name);

create table app.contacts (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    client_id uuid not null,
    name varchar(255) not null,
    role varchar(100),
    phone varchar(32),
    email extensions.citext,
    is_primary boolean not null default false,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    archived_at timestamptz,
    constraint pk_contacts primary key (tenant_id, id),
    constraint fk_contacts_client_id_clients foreign key (tenant_id, client_id)
    references app.clients (tenant_id, id) on delete cascade,
    constraint check_contacts_name check (btrim(name) <> ''),
    constraint check_contacts_email check (email ~ '^[^@\s]+@[^@\s]+$'),
    constraint check_contacts_primary_active check (not (is_primary and archived_at is not null))
);
comment on constraint fk_contacts_client_id_clients on app.contacts is 'No such client in this tenant.';
comment on constraint check_contacts_name on app.contacts is 'A contact needs a name.';
comment on constraint check_contacts_email on app.contacts is 'An email address needs one @ and no spaces.';
comment on constraint check_contacts_primary_active on app.contacts is
'An archived contact cannot be the primary contact; make another contact primary first.';

create index index_contacts_on_client_id on app.contacts (tenant_id, client_id);
create unique index unique_contacts_primary on app.contacts (tenant_id, client_id) where is_primary;
comment on index app.unique_contacts_primary is
'This client already has a primary contact; make that contact non-primary first.';
create unique index unique_contacts_email on app.contacts (tenant_id, client_id, email) where archived_at is null;
comment on index app.unique_contacts_email is 'This client already has an active contact with this email address.';
