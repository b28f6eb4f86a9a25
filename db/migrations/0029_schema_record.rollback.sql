-- Undo 0029: the schema the migrations left is not recorded any more.
drop table if exists internal.schema_objects;
