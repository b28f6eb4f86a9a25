-- The client portal (issue P): what a contact may do (capabilities), the ways in (share-link codes, magic links),
-- the sessions they open (revocable), and what a portal write leaves behind (an upload waiting for its scan, the
-- contact who decided an approval, tasks a client is shown).
-- depends: 0022_file_state_pending_scan

-- What a contact may do on the portal: view (needed for anything), approve, upload, pay. A client sets the default
-- for its contacts; a contact's own list, when set, replaces it.
create domain app.portal_capabilities as text[] constraint check_portal_capabilities check (
    value <@ '{view,approve,upload,pay}'::text[]
);
comment on constraint check_portal_capabilities on domain app.portal_capabilities is
'Portal capabilities are some of: view, approve, upload, pay.';
alter table app.clients add column portal_capabilities app.portal_capabilities not null
default '{view,approve,upload,pay}';
comment on column app.clients.portal_capabilities is
'What this client''s contacts may do on the portal unless a contact says otherwise (view, approve, upload, pay).';
alter table app.contacts add column portal_capabilities app.portal_capabilities;
comment on column app.contacts.portal_capabilities is
'What this contact may do on the portal; null: the client''s default. Without view, no portal at all.';

-- A task the client is shown on the portal board (seed 000: steps that are public).
alter table app.tasks add column client_visible boolean not null default false;
comment on column app.tasks.client_visible is 'Shown to the client on the portal board (false by default).';
alter type api.task_fields add attribute client_visible boolean;
comment on column api.task_fields.client_visible is 'Shown to the client on the portal board (false by default).';
alter type api.task_patch_fields add attribute client_visible boolean;
comment on column api.task_patch_fields.client_visible is 'Shown to the client on the portal board.';

-- Who decided an approval on the portal (the emailed token alone names its approver).
alter table app.approvals add column decided_by_contact_id uuid;
alter table app.approvals add constraint fk_approvals_decided_by_contact_id_contacts
foreign key (tenant_id, decided_by_contact_id) references app.contacts (tenant_id, id);
comment on constraint fk_approvals_decided_by_contact_id_contacts on app.approvals is 'No such contact in this tenant.';
create index index_approvals_on_decided_by_contact_id on app.approvals (tenant_id, decided_by_contact_id);

select internal.create_vocabulary(x.domain_name, x.words::text[], x.what) from (
    values
    ('portal_way_in', '{code,magic_link}', 'A way into the portal')
) as x (domain_name, words, what);

-- A 6-digit code mailed for a project's share link: stored as an HMAC (and encrypted for its mail only until it
-- is sent or used), valid 10 minutes, used once, dead after 5 wrong tries.
create table app.portal_codes (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    project_id uuid not null,
    contact_id uuid not null,
    code_hmac app.sha256_hex not null,
    code_encrypted bytea,
    expires_at timestamptz not null,
    wrong_tries integer not null default 0,
    used_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_portal_codes primary key (tenant_id, id),
    constraint fk_portal_codes_project_id_projects foreign key (tenant_id, project_id)
    references app.projects (tenant_id, id) on delete cascade,
    constraint fk_portal_codes_contact_id_contacts foreign key (tenant_id, contact_id)
    references app.contacts (tenant_id, id) on delete cascade,
    constraint check_portal_codes_wrong_tries check (wrong_tries between 0 and 5)
);
create index index_portal_codes_on_contact on app.portal_codes (tenant_id, project_id, contact_id, created_at);
create index index_portal_codes_on_contact_id on app.portal_codes (tenant_id, contact_id);
comment on table app.portal_codes is 'One-time codes mailed for a project''s share link (seed 000).';

-- A magic link (seed 003 §4.1): its token's hash, 15 minutes, used once.
create table app.portal_magic_links (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    contact_id uuid not null,
    token_hash app.sha256_hex not null,
    token_encrypted bytea,
    expires_at timestamptz not null,
    used_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_portal_magic_links primary key (tenant_id, id),
    constraint unique_portal_magic_links_token_hash unique (tenant_id, token_hash),
    constraint fk_portal_magic_links_contact_id_contacts foreign key (tenant_id, contact_id)
    references app.contacts (tenant_id, id) on delete cascade
);
create index index_portal_magic_links_on_contact_id on app.portal_magic_links (tenant_id, contact_id);
comment on table app.portal_magic_links is 'Sign-in links mailed to a contact (seed 003 §4.1).';

-- A portal session: one contact of one client (and one project when it came from a share link), until it
-- expires or staff revoke it; every portal request checks it (portal.check_session).
create table app.portal_sessions (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    client_id uuid not null,
    contact_id uuid not null,
    project_id uuid,
    way_in app.portal_way_in not null,
    ip inet,
    expires_at timestamptz not null,
    last_seen_at timestamptz,
    revoked_at timestamptz,
    revoked_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_portal_sessions primary key (tenant_id, id),
    constraint fk_portal_sessions_client_id_clients foreign key (tenant_id, client_id)
    references app.clients (tenant_id, id),
    constraint fk_portal_sessions_contact_id_contacts foreign key (tenant_id, contact_id)
    references app.contacts (tenant_id, id) on delete cascade,
    constraint fk_portal_sessions_project_id_projects foreign key (tenant_id, project_id)
    references app.projects (tenant_id, id) on delete cascade,
    constraint fk_portal_sessions_revoked_by_users foreign key (tenant_id, revoked_by)
    references app.users (tenant_id, id)
);
create index index_portal_sessions_on_contact_id on app.portal_sessions (tenant_id, contact_id, created_at);
create index index_portal_sessions_on_client_id on app.portal_sessions (tenant_id, client_id);
create index index_portal_sessions_on_project_id on app.portal_sessions (tenant_id, project_id);
create index index_portal_sessions_on_revoked_by on app.portal_sessions (tenant_id, revoked_by);
comment on table app.portal_sessions is 'Portal sessions: who, from which way in, until when; revocable by staff.';

-- Where a contact's address is found before any tenant is known (a magic link asks by email alone), kept by a
-- trigger on app.contacts: the one cross-tenant read the portal needs, as the tenants table is for a slug.
create table internal.contact_directory (
    email extensions.citext not null,
    tenant_id uuid not null,
    contact_id uuid not null,
    constraint pk_contact_directory primary key (email, tenant_id, contact_id)
);
insert into internal.contact_directory (email, tenant_id, contact_id)
select
    c.email,
    c.tenant_id,
    c.id
from app.contacts as c
where c.email is not null and c.archived_at is null;

-- Sign-in requests by subject (an address, an email) for the portal's rate limits.
create table internal.portal_throttle (
    subject text not null,
    at timestamptz not null default now()
);
create index index_portal_throttle_on_subject on internal.portal_throttle (subject, at);

-- A portal upload's shape (the order is the URL's).
create type portal.upload_fields as (
    file_name app.file_name,
    content_type app.content_type,
    size bigint
);
comment on type portal.upload_fields is 'A file to upload for an order: its name, type and size (at most 50 MB).';
comment on column portal.upload_fields.file_name is 'The file''s name, without a path.';
comment on column portal.upload_fields.content_type is 'application/octet-stream by default.';
comment on column portal.upload_fields.size is 'Bytes, at most 50 MB; the signed upload admits no more.';
create domain portal.upload_create as jsonb constraint check_upload_create check (
    internal.conforms(value, 'portal.upload_fields', '{file_name,size}')
);

-- Staff say what a client's contacts, or one contact, may do on the portal.
alter type api.client_fields add attribute portal_capabilities app.portal_capabilities;
comment on column api.client_fields.portal_capabilities is
'What the client''s contacts may do on the portal (view, approve, upload, pay; all four by default).';
alter type api.contact_fields add attribute portal_capabilities app.portal_capabilities;
comment on column api.contact_fields.portal_capabilities is
'What this contact may do on the portal (view, approve, upload, pay); null: the client''s default.';
