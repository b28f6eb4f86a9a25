-- One door for every caller: bound database logins (BI and other applications), the declaration of which
-- permission each table command needs, the reviewed allowlist of owner-run functions a request role may call,
-- sign-in throttling per account and address, and the permissions the new rules ask for.
-- depends: 0011_contract_status_transitions

-- A login of another program, bound to one tenant by its name (bi_<tenant hex>_<name>, app_<tenant hex>_<name>), so
-- RLS reads the tenant from session_user without a lookup per row. An app login acts as a user of role 'app' whose
-- id is md5(login)::uuid, holding exactly the permissions it was given.
create table internal.db_logins (
    login name not null,
    kind text not null,
    tenant_id uuid not null,
    user_id uuid,
    label text not null,
    created_at timestamptz not null default now(),
    constraint pk_db_logins primary key (login),
    constraint fk_db_logins_tenant_id_tenants foreign key (tenant_id) references app.tenants (id) on delete cascade,
    constraint check_db_logins_kind check (kind in ('bi', 'app')),
    constraint check_db_logins_login check (
        login::text = kind || '_' || replace(tenant_id::text, '-', '') || '_' || label
    ),
    constraint check_db_logins_label check (label ~ '^[a-z0-9]{1,26}$'),
    constraint check_db_logins_user check ((kind = 'app') = (user_id is not null))
);
create index index_db_logins_on_tenant_id on internal.db_logins (tenant_id);

-- BI logins made before this migration get the bound name; SCRAM passwords survive a rename. Renaming a role
-- needs the superuser that runs `db up`, so the block steps out of the owner's role for it and back.
do $$
declare
    b record;
    label text;
begin
    perform set_config('role', 'none', true);
    for b in select * from internal.bi_logins loop
        label := left(regexp_replace(lower(b.login::text), '[^a-z0-9]', '', 'g'), 26);
        if label = '' then
            label := 'bi';
        end if;
        execute format(
            'alter role %I rename to %I', b.login, 'bi_' || replace(b.tenant_id::text, '-', '') || '_' || label
        );
        insert into internal.db_logins (login, kind, tenant_id, label)
        values ('bi_' || replace(b.tenant_id::text, '-', '') || '_' || label, 'bi', b.tenant_id, label);
        raise notice 'BI login % is now %', b.login, 'bi_' || replace(b.tenant_id::text, '-', '') || '_' || label;
    end loop;
    perform set_config('role', 'pgpsa_owner', true);
end
$$;
-- Code that read the old tables goes with them; the repeatable files define its successors.
drop function if exists internal.bi_tenant_id(name) cascade;
drop function if exists internal.create_bi_login(uuid, name, text);
drop table internal.bi_logins;

-- Users of role 'app' are other applications: they sign in only through their database login.
alter table app.users drop constraint check_users_role;
alter table app.users add constraint check_users_role check (
    role in ('sales', 'designer', 'production', 'qc', 'finance', 'manager', 'admin', 'app')
);
comment on constraint check_users_role on app.users is
'A user role is one of sales, designer, production, qc, finance, manager, admin (app: another application).';

-- Which permission each command on each table needs (any one of the list; an empty list: any user of the tenant).
-- db/policies/0110_permissions.sql fills it; the permission policies are generated from it, and the api functions
-- ask it (internal.require_access).
create table internal.table_permissions (
    table_name text not null,
    command text not null,
    permissions text[] not null,
    constraint pk_table_permissions primary key (table_name, command),
    constraint check_table_permissions_command check (command in ('select', 'insert', 'update', 'delete'))
);

-- Owner-run (security definer) functions a request role may execute, each with the roles and the reason.
-- db/policies/9000_doors.sql fills it and grants from it; the catalog guards hold the catalog to it.
create table internal.definer_allowlist (
    function_signature text not null,
    roles name[] not null,
    reason text not null,
    constraint pk_definer_allowlist primary key (function_signature),
    constraint check_definer_allowlist_reason check (length(reason) > 20)
);

-- Sign-in failures per account and address: a stranger's failures lock only the stranger out of the account.
drop function if exists api.login_lookup(text, text);
drop function if exists api.login_failed(text, text);
drop function if exists api.login_succeeded(text, text);
drop table internal.login_throttle;
create table internal.login_failures (
    tenant_slug extensions.citext not null,
    email extensions.citext not null,
    client_ip inet not null,
    failures integer not null default 0,
    first_failed_at timestamptz not null default now(),
    locked_until timestamptz,
    constraint pk_login_failures primary key (tenant_slug, email, client_ip)
);
-- ... and per address across accounts: one client trying one password on many accounts is slowed too.
create table internal.address_failures (
    client_ip inet not null,
    failures integer not null default 0,
    first_failed_at timestamptz not null default now(),
    locked_until timestamptz,
    constraint pk_address_failures primary key (client_ip)
);

-- Rules of this issue ask for two permissions: setting how work is billed, and downloading files. Global
-- lookups are the owner's to read only until the policy files let migrations keep them; the superuser that runs
-- `db up` writes them here.
set local role none;
insert into app.permissions (name, description) values
('billing:write', 'Set how tasks and templates are billed (billing type, fixed amount, hourly rate)');
insert into app.role_permissions (role, permission) values
('finance', 'billing:write'),
('designer', 'files:read'), ('production', 'files:read'), ('qc', 'files:read');
set local role pgpsa_owner;

-- Audit rows are written by the owner-run trigger; it names the login and the request role itself.
alter table audit.audit_log add column db_login name;
