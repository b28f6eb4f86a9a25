-- Undo 0003: clients and contacts.
drop table if exists app.contacts, app.clients cascade;
