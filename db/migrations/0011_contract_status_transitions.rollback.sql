-- Undo 0011: the contract status lookup.
drop table if exists app.contract_status_transitions;
