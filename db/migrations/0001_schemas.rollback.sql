-- Undo 0001: drop the schemas (everything in them goes too).
drop schema if exists audit, bi, portal, api, internal, app cascade;
