-- Undo 0023: the portal's tables, the contact directory and throttle, and the columns the portal added.
drop domain if exists portal.upload_create;
drop type if exists portal.upload_fields;
alter type api.contact_fields drop attribute if exists portal_capabilities;
alter type api.client_fields drop attribute if exists portal_capabilities;
drop table if exists internal.portal_throttle;
drop table if exists internal.contact_directory;
drop table if exists app.portal_sessions;
drop table if exists app.portal_magic_links;
drop table if exists app.portal_codes;
drop domain if exists app.portal_way_in;
alter table app.approvals drop column if exists decided_by_contact_id;
alter type api.task_patch_fields drop attribute if exists client_visible;
alter type api.task_fields drop attribute if exists client_visible;
alter table app.tasks drop column if exists client_visible;
alter table app.contacts drop column if exists portal_capabilities;
alter table app.clients drop column if exists portal_capabilities;
drop domain if exists app.portal_capabilities;
