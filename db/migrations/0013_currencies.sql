-- Currencies are ISO 4217 codes with their minor units, one domain for every money table: a contract cannot be
-- in "e$1", an invoice can only be in a currency the database knows, and Stripe amounts count the currency's own
-- minor units (JPY has none, KWD three). The list is ISO 4217's currencies with 0 to 3 minor units (from the iso4217
-- package's data, 2026-01-01; funds, metals and units of account are left out).
-- depends: 0012_doors

create table app.currencies (
    code text not null,
    minor_units smallint not null,
    name text not null,
    constraint pk_currencies primary key (code),
    constraint check_currencies_code check (code ~ '^[A-Z]{3}$'),
    constraint check_currencies_minor_units check (minor_units between 0 and 3)
);
insert into app.currencies (code, minor_units, name) values
('AED', 2, 'UAE Dirham'), ('AFN', 2, 'Afghani'), ('ALL', 2, 'Lek'), ('AMD', 2, 'Armenian Dram'),
('AOA', 2, 'Kwanza'), ('ARS', 2, 'Argentine Peso'), ('AUD', 2, 'Australian Dollar'), ('AWG', 2, 'Aruban Florin'),
('AZN', 2, 'Azerbaijan Manat'), ('BAM', 2, 'Convertible Mark'), ('BBD', 2, 'Barbados Dollar'), ('BDT', 2, 'Taka'),
('BHD', 3, 'Bahraini Dinar'), ('BIF', 0, 'Burundi Franc'), ('BMD', 2, 'Bermudian Dollar'),
('BND', 2, 'Brunei Dollar'), ('BOB', 2, 'Boliviano'), ('BOV', 2, 'Mvdol'), ('BRL', 2, 'Brazilian Real'),
('BSD', 2, 'Bahamian Dollar'), ('BTN', 2, 'Ngultrum'), ('BWP', 2, 'Pula'), ('BYN', 2, 'Belarusian Ruble'),
('BZD', 2, 'Belize Dollar'), ('CAD', 2, 'Canadian Dollar'), ('CDF', 2, 'Congolese Franc'), ('CHE', 2, 'WIR Euro'),
('CHF', 2, 'Swiss Franc'), ('CHW', 2, 'WIR Franc'), ('CLP', 0, 'Chilean Peso'), ('CNY', 2, 'Yuan Renminbi'),
('COP', 2, 'Colombian Peso'), ('COU', 2, 'Unidad de Valor Real'), ('CRC', 2, 'Costa Rican Colon'),
('CUP', 2, 'Cuban Peso'), ('CVE', 2, 'Cabo Verde Escudo'), ('CZK', 2, 'Czech Koruna'), ('DJF', 0, 'Djibouti Franc'),
('DKK', 2, 'Danish Krone'), ('DOP', 2, 'Dominican Peso'), ('DZD', 2, 'Algerian Dinar'), ('EGP', 2, 'Egyptian Pound'),
('ERN', 2, 'Nakfa'), ('ETB', 2, 'Ethiopian Birr'), ('EUR', 2, 'Euro'), ('FJD', 2, 'Fiji Dollar'),
('FKP', 2, 'Falkland Islands Pound'), ('GBP', 2, 'Pound Sterling'), ('GEL', 2, 'Lari'), ('GHS', 2, 'Ghana Cedi'),
('GIP', 2, 'Gibraltar Pound'), ('GMD', 2, 'Dalasi'), ('GNF', 0, 'Guinean Franc'), ('GTQ', 2, 'Quetzal'),
('GYD', 2, 'Guyana Dollar'), ('HKD', 2, 'Hong Kong Dollar'), ('HNL', 2, 'Lempira'), ('HTG', 2, 'Gourde'),
('HUF', 2, 'Forint'), ('IDR', 2, 'Rupiah'), ('ILS', 2, 'New Israeli Sheqel'), ('INR', 2, 'Indian Rupee'),
('IQD', 3, 'Iraqi Dinar'), ('IRR', 2, 'Iranian Rial'), ('ISK', 0, 'Iceland Krona'), ('JMD', 2, 'Jamaican Dollar'),
('JOD', 3, 'Jordanian Dinar'), ('JPY', 0, 'Yen'), ('KES', 2, 'Kenyan Shilling'), ('KGS', 2, 'Som'),
('KHR', 2, 'Riel'), ('KMF', 0, 'Comorian Franc'), ('KPW', 2, 'North Korean Won'), ('KRW', 0, 'Won'),
('KWD', 3, 'Kuwaiti Dinar'), ('KYD', 2, 'Cayman Islands Dollar'), ('KZT', 2, 'Tenge'), ('LAK', 2, 'Lao Kip'),
('LBP', 2, 'Lebanese Pound'), ('LKR', 2, 'Sri Lanka Rupee'), ('LRD', 2, 'Liberian Dollar'), ('LSL', 2, 'Loti'),
('LYD', 3, 'Libyan Dinar'), ('MAD', 2, 'Moroccan Dirham'), ('MDL', 2, 'Moldovan Leu'), ('MGA', 2, 'Malagasy Ariary'),
('MKD', 2, 'Denar'), ('MMK', 2, 'Kyat'), ('MNT', 2, 'Tugrik'), ('MOP', 2, 'Pataca'), ('MRU', 2, 'Ouguiya'),
('MUR', 2, 'Mauritius Rupee'), ('MVR', 2, 'Rufiyaa'), ('MWK', 2, 'Malawi Kwacha'), ('MXN', 2, 'Mexican Peso'),
('MXV', 2, 'Mexican Unidad de Inversion (UDI)'), ('MYR', 2, 'Malaysian Ringgit'), ('MZN', 2, 'Mozambique Metical'),
('NAD', 2, 'Namibia Dollar'), ('NGN', 2, 'Naira'), ('NIO', 2, 'Cordoba Oro'), ('NOK', 2, 'Norwegian Krone'),
('NPR', 2, 'Nepalese Rupee'), ('NZD', 2, 'New Zealand Dollar'), ('OMR', 3, 'Rial Omani'), ('PAB', 2, 'Balboa'),
('PEN', 2, 'Sol'), ('PGK', 2, 'Kina'), ('PHP', 2, 'Philippine Peso'), ('PKR', 2, 'Pakistan Rupee'),
('PLN', 2, 'Zloty'), ('PYG', 0, 'Guarani'), ('QAR', 2, 'Qatari Rial'), ('RON', 2, 'Romanian Leu'),
('RSD', 2, 'Serbian Dinar'), ('RUB', 2, 'Russian Ruble'), ('RWF', 0, 'Rwanda Franc'), ('SAR', 2, 'Saudi Riyal'),
('SBD', 2, 'Solomon Islands Dollar'), ('SCR', 2, 'Seychelles Rupee'), ('SDG', 2, 'Sudanese Pound'),
('SEK', 2, 'Swedish Krona'), ('SGD', 2, 'Singapore Dollar'), ('SHP', 2, 'Saint Helena Pound'), ('SLE', 2, 'Leone'),
('SOS', 2, 'Somali Shilling'), ('SRD', 2, 'Surinam Dollar'), ('SSP', 2, 'South Sudanese Pound'), ('STN', 2, 'Dobra'),
('SVC', 2, 'El Salvador Colon'), ('SYP', 2, 'Syrian Pound'), ('SZL', 2, 'Lilangeni'), ('THB', 2, 'Baht'),
('TJS', 2, 'Somoni'), ('TMT', 2, 'Turkmenistan New Manat'), ('TND', 3, 'Tunisian Dinar'), ('TOP', 2, 'Pa’anga'),
('TRY', 2, 'Turkish Lira'), ('TTD', 2, 'Trinidad and Tobago Dollar'), ('TWD', 2, 'New Taiwan Dollar'),
('TZS', 2, 'Tanzanian Shilling'), ('UAH', 2, 'Hryvnia'), ('UGX', 0, 'Uganda Shilling'), ('USD', 2, 'US Dollar'),
('USN', 2, 'US Dollar (Next day)'), ('UYI', 0, 'Uruguay Peso en Unidades Indexadas (UI)'),
('UYU', 2, 'Peso Uruguayo'), ('UZS', 2, 'Uzbekistan Sum'), ('VED', 2, 'Bolívar Soberano'),
('VES', 2, 'Bolívar Soberano'), ('VND', 0, 'Dong'), ('VUV', 0, 'Vatu'), ('WST', 2, 'Tala'),
('XAD', 2, 'Arab Accounting Dinar'), ('XAF', 0, 'CFA Franc BEAC'), ('XCD', 2, 'East Caribbean Dollar'),
('XCG', 2, 'Caribbean Guilder'), ('XOF', 0, 'CFA Franc BCEAO'), ('XPF', 0, 'CFP Franc'), ('YER', 2, 'Yemeni Rial'),
('ZAR', 2, 'Rand'), ('ZMW', 2, 'Zambian Kwacha'), ('ZWG', 2, 'Zimbabwe Gold');

create domain app.currency_code as text check (value ~ '^[A-Z]{3}$');
comment on domain app.currency_code is 'An ISO 4217 currency code, e.g. USD, EUR, JPY.';

-- Views, SQL-bodied functions and column triggers (UPDATE OF) that read columns about to change type are dropped
-- here; the repeatable files, which `db up` applies after the migrations, make them again (every view, function and
-- trigger is in a repeatable file). Later migrations that retype columns use it too.
create function internal.drop_code_reading(p_table regclass, p_columns text[]) returns void
language plpgsql volatile set search_path = ''
as $$
declare
    d record;
begin
    for d in
        select distinct
            case dep.classid
                when 'pg_catalog.pg_rewrite'::regclass then 'view'
                when 'pg_catalog.pg_trigger'::regclass then 'trigger'
                else 'function'
            end as kind,
            case dep.classid
                when 'pg_catalog.pg_rewrite'::regclass
                    then (select r.ev_class::regclass::text from pg_catalog.pg_rewrite as r where r.oid = dep.objid)
                when 'pg_catalog.pg_trigger'::regclass
                    then (select format('%I on %s', tg.tgname, tg.tgrelid::regclass)
                          from pg_catalog.pg_trigger as tg where tg.oid = dep.objid)
                else dep.objid::regprocedure::text
            end as name
        from pg_catalog.pg_depend as dep
        join pg_catalog.pg_attribute as a on a.attrelid = dep.refobjid and a.attnum = dep.refobjsubid
        where dep.refobjid = p_table and a.attname = any(p_columns)
          and dep.classid in (
              'pg_catalog.pg_rewrite'::regclass, 'pg_catalog.pg_proc'::regclass, 'pg_catalog.pg_trigger'::regclass
          )
    loop
        execute format('drop %s if exists %s cascade', d.kind, d.name);
    end loop;
end;
$$;

do $$
declare
    t text;
begin
    foreach t in array array['quotes', 'orders', 'invoices', 'payments', 'contract_templates', 'contracts'] loop
        perform internal.drop_code_reading(format('app.%I', t)::regclass, '{currency}');
        execute format('alter table app.%I drop constraint if exists check_%s_currency', t, t);
        execute format('alter table app.%I alter column currency drop default', t);
        execute format('alter table app.%I alter column currency type app.currency_code using btrim(currency)', t);
        execute format('alter table app.%I alter column currency set default ''USD''', t);
        execute format(
            'alter table app.%1$I add constraint fk_%1$s_currency_currencies foreign key (currency) '
            'references app.currencies (code)', t
        );
        execute format('create index index_%1$s_on_currency on app.%1$I (currency)', t);
        execute format(
            'comment on constraint fk_%1$s_currency_currencies on app.%1$I is %2$L', t,
            'The currency is not an ISO 4217 currency this system knows (for example USD, EUR, GBP, JPY).'
        );
    end loop;
end
$$;
