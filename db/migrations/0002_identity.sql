-- Tenants, staff users, the global permission catalog with the seed 003 §7.1 role map, and per-user overrides.
-- depends: 0001_schemas

create table app.tenants (
    id uuid not null default gen_random_uuid(),
    slug extensions.citext not null,
    name text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_tenants primary key (id),
    constraint unique_tenants_slug unique (slug),
    constraint check_tenants_slug check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    constraint check_tenants_name check (btrim(name) <> '')
);
comment on constraint unique_tenants_slug on app.tenants is
'A tenant with this slug already exists; choose another slug.';
comment on constraint check_tenants_slug on app.tenants is
'A tenant slug is 2 to 63 lowercase letters, digits or hyphens, starting with a letter or digit.';

-- Global lookups (no tenant_id): Citus reference tables when distributed.
create table app.permissions (
    name text not null,
    description text not null,
    constraint pk_permissions primary key (name),
    constraint check_permissions_name check (name = '*' or name ~ '^[a-z]+:([a-z_]+|\*)$')
);

create table app.role_permissions (
    role text not null,
    permission text not null,
    constraint pk_role_permissions primary key (role, permission),
    constraint fk_role_permissions_permission_permissions foreign key (permission) references app.permissions (name),
    constraint check_role_permissions_role check (
        role in ('sales', 'designer', 'production', 'qc', 'finance', 'manager', 'admin')
    )
);
create index index_role_permissions_on_permission on app.role_permissions (permission);

create table app.users (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    email extensions.citext not null,
    full_name text not null,
    role text not null,
    password_hash text not null,
    last_login_at timestamptz,
    disabled_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_users primary key (tenant_id, id),
    constraint fk_users_tenant_id_tenants foreign key (tenant_id) references app.tenants (id),
    constraint unique_users_email unique (tenant_id, email),
    constraint check_users_role check (
        role in ('sales', 'designer', 'production', 'qc', 'finance', 'manager', 'admin')
    ),
    constraint check_users_email check (email ~ '^[^@\s]+@[^@\s]+$'),
    constraint check_users_full_name check (btrim(full_name) <> '')
);
comment on constraint unique_users_email on app.users is 'A user with this email already exists in this tenant.';
comment on constraint check_users_role on app.users is
'A user role is one of sales, designer, production, qc, finance, manager, admin.';
comment on constraint check_users_email on app.users is 'An email address needs one @ and no spaces.';

-- A grant (granted = true) adds a permission to one user; a revoke (false) takes it away even if the role has it.
create table app.user_permissions (
    tenant_id uuid not null,
    user_id uuid not null,
    permission text not null,
    granted boolean not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_user_permissions primary key (tenant_id, user_id, permission),
    constraint fk_user_permissions_user_id_users foreign key (tenant_id, user_id)
    references app.users (tenant_id, id) on delete cascade,
    constraint fk_user_permissions_permission_permissions foreign key (permission) references app.permissions (name)
);
create index index_user_permissions_on_permission on app.user_permissions (permission);

insert into app.permissions (name, description) values
('*', 'Everything'),
('clients:read', 'See clients and their contacts'),
('clients:write', 'Create, change and archive clients and contacts'),
('clients:tax_id', 'Read a client''s tax id'),
('users:read', 'See the staff directory'),
('users:write', 'Create and change staff users and their permissions'),
('leads:read', 'See leads'),
('leads:write', 'Create and change leads'),
('quotes:read', 'See quotes'),
('quotes:write', 'Create, send and change quotes'),
('orders:read', 'See orders'),
('orders:write', 'Create and change orders'),
('projects:read', 'See projects and stages'),
('projects:write', 'Create projects and move stages'),
('tasks:read', 'See tasks'),
('tasks:write', 'Change tasks and log time'),
('files:read', 'Download files'),
('files:write', 'Upload and change files'),
('approvals:read', 'See approvals'),
('approvals:write', 'Request approvals and send reminders'),
('invoices:read', 'See invoices'),
('invoices:write', 'Create, send and void invoices'),
('payments:read', 'See payments'),
('payments:write', 'Record and apply payments'),
('jobtickets:scan', 'Scan job tickets at a station'),
('contracts:read', 'See contracts'),
('contracts:write', 'Create and change contracts'),
('reports:read', 'See reports and KPIs'),
('audit:read', 'Read the audit log');

-- Seed 003 §7.1, plus clients:read for everyone who works on client jobs and clients:tax_id for finance.
insert into app.role_permissions (role, permission) values
('sales', 'leads:read'), ('sales', 'leads:write'), ('sales', 'quotes:read'), ('sales', 'quotes:write'),
('sales', 'orders:read'), ('sales', 'clients:read'), ('sales', 'clients:write'),
('designer', 'projects:read'), ('designer', 'tasks:read'), ('designer', 'tasks:write'),
('designer', 'files:write'), ('designer', 'clients:read'),
('production', 'projects:read'), ('production', 'tasks:read'), ('production', 'tasks:write'),
('production', 'jobtickets:scan'), ('production', 'clients:read'),
('qc', 'projects:read'), ('qc', 'approvals:read'), ('qc', 'tasks:write'), ('qc', 'clients:read'),
('finance', 'invoices:read'), ('finance', 'invoices:write'), ('finance', 'payments:read'),
('finance', 'payments:write'), ('finance', 'clients:read'), ('finance', 'clients:tax_id'),
('manager', '*'),
('admin', '*');

-- Sign-in throttling, keyed by what the caller typed (unknown emails count too, so they look the same).
create table internal.login_throttle (
    tenant_slug extensions.citext not null,
    email extensions.citext not null,
    failures integer not null default 0,
    first_failed_at timestamptz not null default now(),
    locked_until timestamptz,
    constraint pk_login_throttle primary key (tenant_slug, email)
);

-- Read-only BI logins, each bound to one tenant; RLS reads the binding, so the login cannot pick another tenant.
create table internal.bi_logins (
    login name not null,
    tenant_id uuid not null,
    constraint pk_bi_logins primary key (login),
    constraint fk_bi_logins_tenant_id_tenants foreign key (tenant_id) references app.tenants (id) on delete cascade
);
create index index_bi_logins_on_tenant_id on internal.bi_logins (tenant_id);
