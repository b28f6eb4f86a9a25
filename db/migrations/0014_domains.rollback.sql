-- Undo 0014: the columns back to text (numeric), the domains dropped, order priorities back to "rush".
do $$
declare
    c record;
begin
    for c in
        select a.attrelid::regclass as rel, a.attname, t.typname, bt.oid as base, a.atttypmod
        from pg_attribute as a
        join pg_type as t on t.oid = a.atttypid
        join pg_type as bt on bt.oid = t.typbasetype
        join pg_class as r on r.oid = a.attrelid
        where r.relnamespace = 'app'::regnamespace and r.relkind = 'r' and t.typtype = 'd'
          and t.typnamespace = 'app'::regnamespace and t.typname <> 'currency_code'
    loop
        perform internal.drop_code_reading(c.rel, array[c.attname::text]);
        execute format('alter table %s alter column %I type %s', c.rel, c.attname,
            format_type(c.base, case when c.typname = 'money' then (12 << 16 | 2) + 4
                when c.typname = 'percent' then (5 << 16 | 2) + 4 when c.typname = 'hours' then (8 << 16 | 2) + 4
                when c.typname = 'quantity' then (12 << 16 | 3) + 4 else null end));
    end loop;
end
$$;
do $$
declare
    d text;
begin
    for d in
        select t.typname from pg_type as t
        where t.typnamespace = 'app'::regnamespace and t.typtype = 'd' and t.typname <> 'currency_code'
    loop
        execute format('drop domain app.%I', d);
    end loop;
end
$$;
alter table app.orders add constraint check_orders_priority
check (priority in ('low', 'normal', 'high', 'rush', 'urgent'));
drop function if exists internal.create_vocabulary(text, text[], text);
