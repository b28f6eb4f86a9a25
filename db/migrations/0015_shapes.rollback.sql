-- Undo 0015: the client and contact shapes and the checks behind every shape go; cascade takes the functions that
-- take them (the previous release's repeatable files make those again, over jsonb).
drop domain if exists api.client_create, api.client_patch, api.contact_create, api.contact_patch cascade;
drop type if exists api.client_fields, api.contact_fields cascade;
drop domain if exists api.address_json cascade;
drop type if exists api.address cascade;
drop function if exists internal.conforms_each(jsonb, regtype, text[], text[]);
drop function if exists internal.conforms(jsonb, regtype, text[], text[]);
