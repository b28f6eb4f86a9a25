-- Undo 0013: currencies back to char(3) with a format check.
do $$
declare
    t text;
begin
    foreach t in array array['quotes', 'orders', 'invoices', 'payments', 'contract_templates', 'contracts'] loop
        perform internal.drop_code_reading(format('app.%I', t)::regclass, '{currency}');
        execute format('alter table app.%I drop constraint fk_%s_currency_currencies', t, t);
        execute format('drop index app.index_%s_on_currency', t);
        execute format('alter table app.%I alter column currency drop default', t);
        execute format('alter table app.%I alter column currency type character(3)', t);
        execute format('alter table app.%I alter column currency set default ''USD''', t);
    end loop;
    foreach t in array array['quotes', 'orders', 'invoices', 'payments'] loop
        execute format('alter table app.%1$I add constraint check_%1$s_currency check (currency ~ ''^[A-Z]{3}$'')', t);
    end loop;
end
$$;
drop function internal.drop_code_reading(regclass, text[]);
drop domain app.currency_code;
drop table app.currencies;
