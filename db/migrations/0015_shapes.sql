-- What each api operation takes, declared once, as a type: a shape is a composite type in api (its attributes the
-- fields, typed with the app domains, described by comments), and an operation's body is a domain over jsonb whose
-- check, internal.conforms(value, shape, required, not_null), holds every caller to it (the service, another app,
-- psql): an object with the shape's fields only, the required ones given, each value of its field's type. A
-- refusal names the field (COLUMN in the error, a path like billing_address.city). The service derives its
-- validation and the OpenAPI document from the same catalog, so the two cannot drift.
-- depends: 0014_domains

create function internal.conforms(
    p_value jsonb, p_shape regtype, p_required text[] default '{}', p_not_null text[] default '{}'
) returns boolean
language plpgsql stable set search_path = ''
as $$
declare
    field record;
    missing text;
    state text;
    message text;
    inner_column text;
    constraint_name text;
    datatype text;
    schema_name text;
begin
    if p_value is null then
        return true;  -- no body at all is the operation's business (a required argument)
    end if;
    if jsonb_typeof(p_value) <> 'object' then
        raise exception using errcode = '22023', message = 'Send the fields as a JSON object.';
    end if;
    missing := (
        select r from unnest(p_required) as r
        where coalesce(jsonb_typeof(p_value -> r), 'null') = 'null'
        limit 1
    );
    if missing is not null then
        raise exception using errcode = '23502', message = format('%s is required.', missing), column = missing;
    end if;
    for field in
        select e.key, e.value, a.atttypid
        from jsonb_each(p_value) as e
        left join pg_catalog.pg_attribute as a
            on a.attrelid = (select t.typrelid from pg_catalog.pg_type as t where t.oid = p_shape)
            and a.attname = e.key and a.attnum > 0 and not a.attisdropped
    loop
        if field.atttypid is null then
            raise exception using
                errcode = '22023', message = format('%s is not a field of this request.', field.key),
                column = field.key;
        end if;
        if jsonb_typeof(field.value) = 'null' then
            if field.key = any(p_not_null) then
                raise exception using
                    errcode = '23502', message = format('%s cannot be null.', field.key), column = field.key;
            end if;
            continue;
        end if;
        begin
            execute format('select jsonb_populate_record(null::%s, $1)', p_shape)
            using jsonb_build_object(field.key, field.value);
        exception when others then
            get stacked diagnostics
                state = returned_sqlstate, message = message_text, inner_column = column_name,
                constraint_name = constraint_name, datatype = pg_datatype_name, schema_name = schema_name;
            -- The innermost refusal says which field it is about; outer shapes extend the path.
            raise exception using
                errcode = state,
                message = case when coalesce(inner_column, '') = '' then field.key || ': ' || message else message end,
                column = field.key || coalesce('.' || nullif(inner_column, ''), ''),
                constraint = coalesce(constraint_name, ''), datatype = coalesce(datatype, ''),
                schema = coalesce(schema_name, '');
        end;
    end loop;
    return true;
end;
$$;

-- A JSON array of objects of one shape (invoice items, template stages): each element conforms. It runs as the
-- owner because it calls internal.conforms by name, which no request role may look up in schema internal (a
-- domain's check, conforms itself, is bound by oid); it reads only its arguments and the catalog (allowlisted in
-- db/policies/9000_doors.sql).
create function internal.conforms_each(
    p_value jsonb, p_shape regtype, p_required text[] default '{}', p_not_null text[] default '{}'
) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
declare
    element record;
    state text;
    message text;
    inner_column text;
    constraint_name text;
    datatype text;
    schema_name text;
begin
    if p_value is null then
        return true;
    end if;
    if jsonb_typeof(p_value) <> 'array' then
        raise exception using errcode = '22023', message = 'Send a JSON array here.';
    end if;
    for element in select e.value, e.n - 1 as i from jsonb_array_elements(p_value) with ordinality as e (value, n) loop
        begin
            perform internal.conforms(element.value, p_shape, p_required, p_not_null);
        exception when others then
            get stacked diagnostics
                state = returned_sqlstate, message = message_text, inner_column = column_name,
                constraint_name = constraint_name, datatype = pg_datatype_name, schema_name = schema_name;
            raise exception using
                errcode = state, message = message,
                column = element.i || coalesce('.' || nullif(inner_column, ''), ''),
                constraint = coalesce(constraint_name, ''), datatype = coalesce(datatype, ''),
                schema = coalesce(schema_name, '');
        end;
    end loop;
    return true;
end;
$$;


-- Clients and contacts (the example every shape follows).
create type api.address as (
    line1 app.label, line2 app.label, city app.label, region app.label, postal_code app.code, country app.label
);
comment on type api.address is 'A postal address; every line is optional.';
create domain api.address_json as jsonb constraint check_address_json check (internal.conforms(value, 'api.address'));

create type api.client_fields as (
    account_code varchar (20),
    name varchar (255),
    channel varchar (50),
    phone varchar (32),
    email app.email_address,
    billing_address api.address_json,
    shipping_address api.address_json,
    tax_id app.code
);
comment on type api.client_fields is 'A client of the firm (seed 003 customers).';
comment on column api.client_fields.account_code is 'The firm''s own code for the client, unique among active clients.';
comment on column api.client_fields.channel is 'How the client buys (for example retail or trade).';
comment on column api.client_fields.tax_id is 'Stored encrypted; read back only by holders of clients:tax_id.';
create domain api.client_create as jsonb constraint check_client_create check (
    internal.conforms(value, 'api.client_fields', '{account_code,name,channel}')
);
create domain api.client_patch as jsonb constraint check_client_patch check (
    internal.conforms(value, 'api.client_fields', '{}', '{account_code,name,channel}')
);

create type api.contact_fields as (
    name varchar (255), role varchar (100), phone varchar (32), email app.email_address, is_primary boolean
);
comment on type api.contact_fields is 'A person at a client.';
comment on column api.contact_fields.is_primary is 'The client''s main contact; one per client.';
create domain api.contact_create as jsonb constraint check_contact_create check (
    internal.conforms(value, 'api.contact_fields', '{name}')
);
create domain api.contact_patch as jsonb constraint check_contact_patch check (
    internal.conforms(value, 'api.contact_fields', '{}', '{name,is_primary}')
);
