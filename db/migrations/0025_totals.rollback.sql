-- Undo 0025: the totals go (db down removes the repeatable code that keeps and reads them, db up makes it again).
drop table if exists app.invoice_balances;
drop table if exists app.user_week_hours;
drop table if exists app.project_totals;
drop table if exists app.task_totals;
