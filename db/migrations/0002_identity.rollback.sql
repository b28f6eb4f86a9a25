-- Undo 0002: identity tables.
drop table if exists internal.bi_logins, internal.login_throttle, app.user_permissions, app.users,
app.role_permissions, app.permissions, app.tenants cascade;
