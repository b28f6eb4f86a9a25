-- The bi schema's description, with the version of its contract (db/bi_contract.csv, checked by
-- tests/test_bi_contract.py): a rename, retype or removal of a view or column raises the version; a new view, or a
-- column added at the end of one, keeps it.

comment on schema bi is
'pgpsa''s reporting views for BI tools, contract version 1. Each view shows the tenant of the BI login that reads it '
'(pgpsa bi-login create). Money is exact, in the currency named beside it; percentages are 0-100 rounded to 2 '
'decimals; dates are UTC dates and months their first day.';
