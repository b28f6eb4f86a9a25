-- Undo 0012: bound logins back to the BI binding, the old throttle, the added permissions and audit column.
alter table audit.audit_log drop column db_login;
delete from app.role_permissions
where
    permission in ('billing:write', 'files:read')
    and role in ('finance', 'designer', 'production', 'qc');
delete from app.user_permissions
where permission = 'billing:write';
delete from app.permissions
where name = 'billing:write';
drop table internal.address_failures;
drop table internal.login_failures;
create table internal.login_throttle (
    tenant_slug extensions.citext not null,
    email extensions.citext not null,
    failures integer not null default 0,
    first_failed_at timestamptz not null default now(),
    locked_until timestamptz,
    constraint pk_login_throttle primary key (tenant_slug, email)
);
drop table internal.definer_allowlist;
drop table internal.table_permissions;
alter table app.users drop constraint check_users_role;
alter table app.users add constraint check_users_role check (
    role in ('sales', 'designer', 'production', 'qc', 'finance', 'manager', 'admin')
);
create table internal.bi_logins (
    login name not null,
    tenant_id uuid not null,
    constraint pk_bi_logins primary key (login),
    constraint fk_bi_logins_tenant_id_tenants foreign key (tenant_id) references app.tenants (id) on delete cascade
);
create index index_bi_logins_on_tenant_id on internal.bi_logins (tenant_id);
insert into internal.bi_logins (login, tenant_id) select
    login,
    tenant_id
from internal.db_logins
where kind = 'bi';
drop table internal.db_logins;
