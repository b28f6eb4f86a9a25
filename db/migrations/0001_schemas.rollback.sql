-- Undo 0001: drop the schemas (everything in them goes too).
drop schema if exists audit cascade;
drop schema if exists bi cascade;
drop schema if exists portal cascade;
drop schema if exists api cascade;
drop schema if exists internal cascade;
drop schema if exists app cascade;
