-- Undo 0021: the mail outbox, the schedule runs and the automation columns go (the queue schema stays: it is
-- procrastinate's, applied by db up).
drop table if exists app.schedule_runs;
drop table if exists app.outbound_mail;
drop domain if exists app.mail_status;
alter table app.domain_events drop column if exists dead_at;
alter table app.stages drop column if exists managers_told_at;
alter table app.approvals drop column if exists token_encrypted;
alter type api.sales_settings_fields drop attribute if exists purchasing_email;
alter table app.sales_settings drop column if exists purchasing_email;
alter table app.tenants drop column if exists time_zone;
drop domain if exists app.time_zone;
drop function if exists internal.is_time_zone(text);
