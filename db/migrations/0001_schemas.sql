-- Schemas by audience, default privileges, and installation settings (the data encryption key).
-- depends:

create schema app;        -- tables: never granted wholesale; policies and column grants decide
create schema internal;   -- helpers and trigger functions
create schema api;        -- views and functions for the service and other apps
create schema portal;     -- what a client contact may see
create schema bi;         -- reporting views for BI logins
create schema audit;      -- the append-only audit log

-- Nothing is executable by PUBLIC unless a grant says so.
alter default privileges revoke execute on functions from public;
revoke all on schema app, internal, api, portal, bi, audit from public;

-- Installation-wide settings readable only by the owner (security definer helpers read them).
create table internal.settings (
    name text primary key,
    value text not null
);

-- A random key per installation for pgp_sym_encrypt of sensitive columns (clients.tax_id).
insert into internal.settings (name, value)
values ('data_key', encode(extensions.gen_random_bytes(32), 'hex'));
