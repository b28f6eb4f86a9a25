-- Shapes of the sales, billing, contracts and inventory operations (issue G), as 0015 made them for clients: each
-- body a domain over jsonb checked against a composite type whose attributes are the HTTP fields in snake_case,
-- typed with the domain of the column each is stored in; the words and number rules those fields need; the types
-- the api views build their JSON columns from; and the quote lifecycle as a lookup, like orders' and contracts'.
-- depends: 0015_shapes

-- Vocabularies (0014's style: one list of words each, in one check, worded by its comment).
select internal.create_vocabulary(x.domain_name, x.words::text[], x.what) from (
    values
    (
        'assignment_status', '{upcoming,active,expiring,expired,terminated,pending_renewal,inactive}',
        'A client contract''s status'
    ),
    -- Seed 003 calls an order's top priority "rush"; it is stored as the one vocabulary's urgent.
    ('requested_priority', '{low,normal,high,urgent,rush}', 'An order''s priority'),
    -- Sending and payments set every other status of an invoice; by hand it is only voided.
    ('settable_invoice_status', '{void}', 'The status an invoice is given by hand')
) as x (domain_name, words, what);
comment on domain app.assignment_status is
'A client contract''s live status, derived from its dates, activity and renewal (never from the contract''s).';
comment on domain app.requested_priority is
'An order''s priority as a request gives it: low, normal, high, urgent, or rush (seed 003''s word, kept as urgent).';
comment on domain app.settable_invoice_status is 'What a person may set an invoice''s status to: void.';

-- Numbers a request sends. PostgreSQL's numeric takes 'NaN' (from a JSON string), which passes `>= 0` (NaN sorts
-- above every number): each domain refuses it. The checks are the tables' own (prices zero or more, payments and
-- line quantities more than zero); negative stock changes and reorder points stay the tables' business.
alter domain app.quantity add constraint check_quantity check (value <> 'NaN');
comment on constraint check_quantity on domain app.quantity is 'A quantity is a number.';
comment on domain app.quantity is 'A quantity (of a product, a service, stock): a number, exact to three places.';
create domain app.price as app.money constraint check_price check (value >= 0 and value <> 'NaN');
comment on domain app.price is 'Money that is zero or more: a price, a cost, a rate, a value.';
comment on constraint check_price on domain app.price is 'An amount of money here is zero or more.';
create domain app.payment_amount as app.money constraint check_payment_amount check (value > 0 and value <> 'NaN');
comment on domain app.payment_amount is 'Money that is more than zero: a payment, a deposit, an application.';
comment on constraint check_payment_amount on domain app.payment_amount is 'An amount paid is more than zero.';
create domain app.positive_quantity as app.quantity constraint check_positive_quantity check (value > 0);
comment on domain app.positive_quantity is 'A quantity of more than zero (a line''s).';
comment on constraint check_positive_quantity on domain app.positive_quantity is 'A quantity is more than zero.';

-- A SKU's pattern becomes its type (it was a check on products), so the shape carries it.
create domain app.sku as text constraint check_sku check (value ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$');
comment on domain app.sku is 'A stock-keeping unit: 1 to 40 letters, digits, dots, dashes, slashes or underscores.';
comment on constraint check_sku on domain app.sku is
'A SKU is 1 to 40 letters, digits, dots, dashes, slashes or underscores.';
select internal.drop_code_reading('app.products', '{sku}');
alter table app.products drop constraint check_products_sku;
alter table app.products alter column sku type app.sku;

-- How a quote moves (its trigger and its refusals' hints read it): draft -> sent -> accepted | rejected | expired.
create table app.quote_status_transitions (
    from_status app.quote_status not null,
    to_status app.quote_status not null,
    constraint pk_quote_status_transitions primary key (from_status, to_status)
);
insert into app.quote_status_transitions (from_status, to_status) values
('draft', 'sent'), ('sent', 'accepted'), ('sent', 'rejected'), ('sent', 'expired');

-- The api views whose columns are retyped (computed money as app.money, measures as app.quantity/app.percent,
-- statuses as their vocabulary) or gain JSON built from the types below; db/views makes them again.
drop view if exists
api.sales_settings, api.products, api.labor_rates, api.leads, api.quote_items, api.quotes, api.order_items,
api.orders, api.outstanding_deposits, api.job_tickets, api.job_ticket_scans, api.inventory_locations,
api.inventory_levels, api.reorder_report, api.stock_movements, api.invoices, api.invoice_lines, api.payments,
api.payment_applications, api.stripe_checkouts, api.contract_templates, api.contracts, api.client_contracts
cascade;


-- Response shapes: the keys of the JSON columns of the api views, built from these types so they cannot drift.
create type api.project_ref as (id uuid, project_code app.code);
comment on type api.project_ref is 'The project an order made, by id and code (both null until it exists).';

create type api.template_line as (
    id uuid, sequence integer, name app.label, line_type app.contract_line_type, amount app.money,
    hourly_rate app.money
);
comment on type api.template_line is 'A line of a contract template.';
comment on column api.template_line.amount is 'Per billing period, for a fixed line.';
comment on column api.template_line.hourly_rate is 'For an hourly line.';

create type api.line_service as (service_name app.label, quantity app.quantity);
comment on type api.line_service is 'A service a contract line includes.';

create type api.contract_line as (
    id uuid, sequence integer, name app.label, line_type app.contract_line_type, amount app.money,
    hourly_rate app.money, services jsonb
);
comment on type api.contract_line is 'A line of a contract, with its rate and services.';
comment on column api.contract_line.amount is 'Per billing period, for a fixed line.';
comment on column api.contract_line.hourly_rate is 'For an hourly line.';
comment on column api.contract_line.services is 'The services the line includes. @shape api.line_service[]';


-- Sales settings: each setting belongs to one permission (api.update_sales_settings checks it per field).
create type api.sales_settings_fields as (deposit_percent app.percent, allow_negative_stock boolean);
comment on type api.sales_settings_fields is 'The tenant''s sales rules.';
comment on column api.sales_settings_fields.deposit_percent is
'The share of a confirmed order''s total its deposit invoice asks for (default 50). Needs orders:write.';
comment on column api.sales_settings_fields.allow_negative_stock is
'Whether a movement may leave a stock level below zero (default false). Needs inventory:write.';
create domain api.sales_settings_patch as jsonb constraint check_sales_settings_patch check (
    internal.conforms(value, 'api.sales_settings_fields', '{}', '{deposit_percent,allow_negative_stock}')
);

-- Products and labor rates.
create type api.product_fields as (
    sku app.sku,
    name app.label,
    product_type app.product_type,
    description app.note,
    default_price app.price,
    cost_price app.price,
    tax_rate app.percent,
    uom app.code,
    track_inventory boolean,
    archived boolean
);
comment on type api.product_fields is 'A product, material or service of the sales catalogue.';
comment on column api.product_fields.product_type is 'Default product.';
comment on column api.product_fields.default_price is 'What a line of it costs by default (default 0).';
comment on column api.product_fields.tax_rate is 'Percent; a line''s default (default 0).';
comment on column api.product_fields.uom is 'The unit it is counted in (default each).';
comment on column api.product_fields.track_inventory is 'Whether stock is kept of it (default true).';
comment on column api.product_fields.archived is 'On a change: true archives the product, false restores it.';
create domain api.product_create as jsonb constraint check_product_create check (
    internal.conforms(value, 'api.product_fields', '{sku,name}')
);
create domain api.product_patch as jsonb constraint check_product_patch check (
    internal.conforms(
        value, 'api.product_fields', '{}',
        '{sku,name,product_type,default_price,cost_price,tax_rate,uom,track_inventory}'
    )
);

create type api.labor_rate_fields as (role app.staff_role, hourly_rate app.price, effective_from date);
comment on type api.labor_rate_fields is
'What an hour of a role costs from a date; the same role and date again change it.';
comment on column api.labor_rate_fields.effective_from is 'Default today.';
create domain api.labor_rate_set as jsonb constraint check_labor_rate_set check (
    internal.conforms(value, 'api.labor_rate_fields', '{role,hourly_rate}')
);

-- Leads.
create type api.lead_fields as (
    name app.label,
    source app.label,
    client_id uuid,
    status app.lead_status,
    contact_name app.label,
    email app.email_address,
    phone app.phone,
    estimated_value app.price,
    expected_close date,
    notes app.note
);
comment on type api.lead_fields is 'A sales lead.';
comment on column api.lead_fields.status is 'Default new.';
create domain api.lead_create as jsonb constraint check_lead_create check (
    internal.conforms(value, 'api.lead_fields', '{name,source}')
);
create domain api.lead_patch as jsonb constraint check_lead_patch check (
    internal.conforms(value, 'api.lead_fields', '{}', '{name,source,status}')
);

-- A quote's or an order's line as sent: a product's name, price and tax fill what it leaves out.
create type api.line_fields as (
    product_id uuid,
    description app.note,
    quantity app.positive_quantity,
    unit_price app.price,
    discount_pct app.percent,
    tax_rate app.percent,
    fulfillment_type app.fulfillment_type,
    required_date date
);
comment on type api.line_fields is 'A line of a quote or an order; its money is computed by the database.';
comment on column api.line_fields.description is 'Default: the product''s name.';
comment on column api.line_fields.quantity is 'Default 1.';
comment on column api.line_fields.unit_price is 'Default: the product''s price.';
comment on column api.line_fields.discount_pct is 'Percent (default 0).';
comment on column api.line_fields.tax_rate is 'Percent; default: the product''s.';
comment on column api.line_fields.fulfillment_type is 'Default production.';
create domain api.line_create as jsonb constraint check_line_create check (
    internal.conforms(value, 'api.line_fields')
);
create domain api.lines_json as jsonb constraint check_lines_json check (
    internal.conforms_each(value, 'api.line_fields')
);

create type api.quote_fields as (
    client_id uuid,
    lead_id uuid,
    project_type app.project_type,
    title app.label,
    valid_from date,
    valid_until date,
    currency app.currency_code,
    notes app.note,
    items api.lines_json
);
comment on type api.quote_fields is 'A quote: edited while it is a draft.';
comment on column api.quote_fields.project_type is 'The order''s type: picks the project template on acceptance.';
comment on column api.quote_fields.valid_from is 'Default today.';
comment on column api.quote_fields.valid_until is 'Default 30 days after valid_from.';
comment on column api.quote_fields.currency is 'Default USD.';
comment on column api.quote_fields.items is 'The quote''s lines; on a change, they replace every item (drafts only).';
create domain api.quote_create as jsonb constraint check_quote_create check (
    internal.conforms(value, 'api.quote_fields', '{client_id,project_type}')
);
create domain api.quote_patch as jsonb constraint check_quote_patch check (
    internal.conforms(value, 'api.quote_fields', '{}', '{client_id,project_type,valid_from,valid_until,currency}')
);

-- Orders: from a quote (quote_id, which gives client, type, currency and items) or by hand.
create type api.order_fields as (
    quote_id uuid,
    client_id uuid,
    project_type app.project_type,
    po_number app.reference,
    priority app.requested_priority,
    promised_date date,
    currency app.currency_code,
    notes app.note,
    items api.lines_json
);
comment on type api.order_fields is
'An order from a quote (quote_id) or by hand (client_id, project_type, items); its project, deposit invoice and job '
'ticket come with it.';
comment on column api.order_fields.quote_id is 'A sent quote to accept: it gives the client, type, currency and items.';
comment on column api.order_fields.priority is 'Default normal.';
comment on column api.order_fields.currency is 'Default USD.';
create domain api.order_create as jsonb constraint check_order_create check (
    internal.conforms(value, 'api.order_fields')
);

create type api.order_update_fields as (
    po_number app.reference,
    priority app.requested_priority,
    promised_date date,
    notes app.note,
    status app.order_status
);
comment on type api.order_update_fields is
'What changes on an order; its status moves as app.order_status_transitions says.';
create domain api.order_patch as jsonb constraint check_order_patch check (
    internal.conforms(value, 'api.order_update_fields', '{}', '{priority,status}')
);

create type api.deposit_fields as (
    amount app.payment_amount, method app.payment_method, reference app.reference, received_at timestamptz
);
comment on type api.deposit_fields is
'A deposit payment from the order''s client, applied to its deposit invoice up to that invoice''s balance.';
comment on column api.deposit_fields.received_at is 'Default now.';
create domain api.deposit_create as jsonb constraint check_deposit_create check (
    internal.conforms(value, 'api.deposit_fields', '{amount,method}')
);

-- Invoices.
create type api.invoice_item_fields as (
    description app.note, quantity app.positive_quantity, unit_price app.price, tax_rate app.percent,
    order_item_id uuid
);
comment on type api.invoice_item_fields is 'A line of a draft invoice.';
comment on column api.invoice_item_fields.quantity is 'Default 1.';
comment on column api.invoice_item_fields.tax_rate is 'Percent (default 0).';
create domain api.invoice_item_create as jsonb constraint check_invoice_item_create check (
    internal.conforms(value, 'api.invoice_item_fields', '{description,unit_price}')
);
create domain api.invoice_items_json as jsonb constraint check_invoice_items_json check (
    internal.conforms_each(value, 'api.invoice_item_fields', '{description,unit_price}')
);

create type api.invoice_fields as (
    client_id uuid,
    order_id uuid,
    project_id uuid,
    kind app.invoice_kind,
    issue_date date,
    due_date date,
    currency app.currency_code,
    notes app.note,
    items api.invoice_items_json
);
comment on type api.invoice_fields is 'A draft invoice with its items.';
comment on column api.invoice_fields.kind is 'Default manual.';
comment on column api.invoice_fields.currency is 'Default USD.';
create domain api.invoice_create as jsonb constraint check_invoice_create check (
    internal.conforms(value, 'api.invoice_fields', '{client_id}')
);

create type api.invoice_line_patch_fields as (id uuid, description app.note);
comment on type api.invoice_line_patch_fields is 'A new description for a line of a draft.';
create domain api.invoice_line_patches_json as jsonb constraint check_invoice_line_patches_json check (
    internal.conforms_each(value, 'api.invoice_line_patch_fields', '{id,description}')
);

create type api.invoice_update_fields as (
    due_date date,
    issue_date date,
    notes app.note,
    lines api.invoice_line_patches_json,
    status app.settable_invoice_status,
    void_reason app.note
);
comment on type api.invoice_update_fields is
'A draft''s dates, notes and line descriptions; or, on their own, status void and void_reason for a sent invoice.';
comment on column api.invoice_update_fields.lines is 'New descriptions, while the invoice is a draft.';
comment on column api.invoice_update_fields.status is 'Void a sent invoice that has no payments.';
comment on column api.invoice_update_fields.void_reason is 'Why it was voided; only with status void.';
create domain api.invoice_patch as jsonb constraint check_invoice_patch check (
    internal.conforms(value, 'api.invoice_update_fields', '{}', '{status}')
);

create type api.invoice_draft_fields as (tax_rate app.percent, due_date date, notes app.note);
comment on type api.invoice_draft_fields is 'A draft invoice from a project''s delivered, unbilled work.';
comment on column api.invoice_draft_fields.tax_rate is 'Percent, on every line (default 0).';
create domain api.invoice_draft_create as jsonb constraint check_invoice_draft_create check (
    internal.conforms(value, 'api.invoice_draft_fields')
);

-- Payments.
create type api.payment_fields as (
    client_id uuid,
    method app.payment_method,
    reference app.reference,
    amount app.payment_amount,
    currency app.currency_code,
    received_at timestamptz
);
comment on type api.payment_fields is 'A payment received from a client.';
comment on column api.payment_fields.currency is 'Default USD.';
comment on column api.payment_fields.received_at is 'Default now.';
create domain api.payment_create as jsonb constraint check_payment_create check (
    internal.conforms(value, 'api.payment_fields', '{client_id,method,amount}')
);

create type api.payment_application_fields as (invoice_id uuid, amount app.payment_amount);
comment on type api.payment_application_fields is 'How much of a payment goes to an invoice.';
create domain api.payment_applications_json as jsonb constraint check_payment_applications_json check (
    internal.conforms_each(value, 'api.payment_application_fields', '{invoice_id,amount}')
);

-- Contracts.
create type api.template_line_fields as (
    name app.label, line_type app.contract_line_type, amount app.price, hourly_rate app.price
);
comment on type api.template_line_fields is 'A line of a contract template.';
comment on column api.template_line_fields.amount is 'Per billing period, for a fixed line.';
comment on column api.template_line_fields.hourly_rate is 'For an hourly line.';
create domain api.template_lines_json as jsonb constraint check_template_lines_json check (
    internal.conforms_each(value, 'api.template_line_fields', '{name,line_type}')
);

create type api.contract_template_fields as (
    name app.label,
    description app.note,
    billing_frequency app.billing_frequency,
    currency app.currency_code,
    lines api.template_lines_json
);
comment on type api.contract_template_fields is 'A contract template: the only reusable layer of contracts.';
comment on column api.contract_template_fields.billing_frequency is 'Default monthly.';
comment on column api.contract_template_fields.currency is 'Default USD.';
create domain api.contract_template_create as jsonb constraint check_contract_template_create check (
    internal.conforms(value, 'api.contract_template_fields', '{name}')
);

create type api.contract_service_fields as (service_name app.label, quantity app.quantity);
comment on type api.contract_service_fields is 'A service a contract line includes.';
comment on column api.contract_service_fields.quantity is 'Default 1.';
create domain api.contract_services_json as jsonb constraint check_contract_services_json check (
    internal.conforms_each(value, 'api.contract_service_fields', '{service_name}')
);

create type api.contract_line_fields as (
    name app.label,
    line_type app.contract_line_type,
    amount app.price,
    hourly_rate app.price,
    services api.contract_services_json
);
comment on type api.contract_line_fields is 'A line of a contract, with its rate and services.';
comment on column api.contract_line_fields.amount is 'Per billing period, for a fixed line (default 0).';
comment on column api.contract_line_fields.hourly_rate is 'For an hourly line (default 0).';
create domain api.contract_lines_json as jsonb constraint check_contract_lines_json check (
    internal.conforms_each(value, 'api.contract_line_fields', '{name,line_type}')
);

create type api.contract_fields as (
    name app.label,
    description app.note,
    owner_client_id uuid,
    is_template boolean,
    billing_frequency app.billing_frequency,
    currency app.currency_code,
    lines api.contract_lines_json
);
comment on type api.contract_fields is 'A contract with its lines, owned by a client unless it is a template.';
comment on column api.contract_fields.owner_client_id is 'Required unless the contract is a template.';
comment on column api.contract_fields.is_template is 'Default false.';
comment on column api.contract_fields.billing_frequency is 'Default monthly.';
comment on column api.contract_fields.currency is 'Default USD.';
create domain api.contract_create as jsonb constraint check_contract_create check (
    internal.conforms(value, 'api.contract_fields', '{name}')
);

create type api.contract_update_fields as (
    name app.label,
    description app.note,
    status app.contract_status,
    billing_frequency app.billing_frequency,
    currency app.currency_code
);
comment on type api.contract_update_fields is
'A contract''s header: its terms stay once an assignment has been billed.';
comment on column api.contract_update_fields.status is 'draft -> published -> archived, never back.';
comment on column api.contract_update_fields.billing_frequency is 'Fixed once an assignment has been billed.';
comment on column api.contract_update_fields.currency is 'Fixed once an assignment has been billed.';
create domain api.contract_patch as jsonb constraint check_contract_patch check (
    internal.conforms(value, 'api.contract_update_fields', '{}', '{name,status,billing_frequency,currency}')
);

create type api.contract_instance_fields as (name app.label);
comment on type api.contract_instance_fields is 'A contract made from a template for a client.';
comment on column api.contract_instance_fields.name is 'Default: the template''s.';
create domain api.contract_instantiate as jsonb constraint check_contract_instantiate check (
    internal.conforms(value, 'api.contract_instance_fields')
);

create type api.assignment_fields as (client_id uuid, start_date date, end_date date, po_number app.reference);
comment on type api.assignment_fields is
'A contract assigned to its owner client for a period (inactive until activated).';
comment on column api.assignment_fields.client_id is 'Must be the contract''s owner.';
comment on column api.assignment_fields.start_date is 'Default today.';
create domain api.assignment_create as jsonb constraint check_assignment_create check (
    internal.conforms(value, 'api.assignment_fields', '{client_id}')
);

create type api.contract_invoice_fields as (
    tax_rate app.percent, due_date date, notes app.note, currency app.code
);
comment on type api.contract_invoice_fields is 'A draft invoice of a client''s active contracts for a period.';
comment on column api.contract_invoice_fields.tax_rate is 'Percent, on every line (default 0).';
comment on column api.contract_invoice_fields.notes is 'Default: Contract services <start> to <end>.';
comment on column api.contract_invoice_fields.currency is
'Bill only the contracts in this currency, an ISO 4217 code in any case (needed when the client''s due contracts '
'are in several).';
create domain api.contract_invoice_create as jsonb constraint check_contract_invoice_create check (
    internal.conforms(value, 'api.contract_invoice_fields')
);

-- Inventory.
create type api.location_fields as (name app.label, location_type app.location_type);
comment on type api.location_fields is 'A place stock is kept.';
comment on column api.location_fields.location_type is 'Default warehouse.';
create domain api.location_create as jsonb constraint check_location_create check (
    internal.conforms(value, 'api.location_fields', '{name}')
);

create type api.stock_movement_fields as (
    product_id uuid,
    location_id uuid,
    movement_type app.movement_type,
    quantity app.quantity,
    to_location_id uuid,
    order_item_id uuid,
    reference app.reference,
    note app.note,
    occurred_at timestamptz
);
comment on type api.stock_movement_fields is
'A movement of the stock ledger; it moves the level in the same transaction.';
comment on column api.stock_movement_fields.quantity is 'More than zero; for adjust, the signed change.';
comment on column api.stock_movement_fields.to_location_id is 'Where a transfer goes (transfers only).';
comment on column api.stock_movement_fields.occurred_at is 'Default now.';
create domain api.stock_movement_create as jsonb constraint check_stock_movement_create check (
    internal.conforms(value, 'api.stock_movement_fields', '{product_id,location_id,movement_type,quantity}')
);
