-- Sales to production (seed 003 §1.1, §3.1, §3.4, §5): products, leads, quotes, orders, job tickets, inventory,
-- labor rates and the per-tenant sales rules. Money totals are computed (generated columns, views), never typed.
-- depends: 0006_billing

-- Global lookup: how an order may move (like task_status_transitions).
create table app.order_status_transitions (
    from_status text not null,
    to_status text not null,
    constraint pk_order_status_transitions primary key (from_status, to_status)
);
insert into app.order_status_transitions (from_status, to_status) values
('pending', 'in_production'), ('pending', 'on_hold'), ('pending', 'cancelled'),
('in_production', 'on_hold'), ('in_production', 'ready'), ('in_production', 'cancelled'),
('on_hold', 'pending'), ('on_hold', 'in_production'), ('on_hold', 'cancelled'),
('ready', 'in_production'), ('ready', 'completed');

-- One row per tenant, made on first change; until then the defaults below are the rule.
create table app.sales_settings (
    tenant_id uuid not null,
    deposit_percent numeric(5, 2) not null default 50,
    allow_negative_stock boolean not null default false,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_sales_settings primary key (tenant_id),
    constraint fk_sales_settings_tenant_id_tenants foreign key (tenant_id) references app.tenants (id),
    constraint check_sales_settings_deposit_percent check (deposit_percent between 0 and 100)
);
comment on constraint check_sales_settings_deposit_percent on app.sales_settings is
'The deposit is a percentage of the order total from 0 to 100.';

create table app.products (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    sku text not null,
    name text not null,
    product_type text not null default 'product',
    description text,
    default_price numeric(12, 2) not null default 0,
    cost_price numeric(12, 2) not null default 0,
    tax_rate numeric(5, 2) not null default 0,
    uom text not null default 'each',
    track_inventory boolean not null default true,
    archived_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_products primary key (tenant_id, id),
    constraint fk_products_tenant_id_tenants foreign key (tenant_id) references app.tenants (id),
    constraint unique_products_sku unique (tenant_id, sku),
    constraint check_products_sku check (sku ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$'),
    constraint check_products_name check (btrim(name) <> ''),
    constraint check_products_type check (product_type in ('product', 'material', 'service')),
    constraint check_products_prices check (default_price >= 0 and cost_price >= 0),
    constraint check_products_tax_rate check (tax_rate between 0 and 100),
    constraint check_products_uom check (btrim(uom) <> '')
);
comment on constraint unique_products_sku on app.products is 'A product with this SKU already exists.';
comment on constraint check_products_sku on app.products is
'A SKU is 1 to 40 letters, digits, dots, dashes, slashes or underscores.';
comment on constraint check_products_prices on app.products is 'Prices and costs are zero or more.';
comment on constraint check_products_type on app.products is 'A product type is product, material or service.';
comment on constraint check_products_tax_rate on app.products is 'A tax rate is a percentage from 0 to 100.';

-- Seed 003 §6.4: the cost of an hour by role, for profitability per job type.
create table app.labor_rates (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    role text not null,
    hourly_rate numeric(12, 2) not null,
    effective_from date not null default current_date,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_labor_rates primary key (tenant_id, id),
    constraint fk_labor_rates_tenant_id_tenants foreign key (tenant_id) references app.tenants (id),
    constraint unique_labor_rates_role unique (tenant_id, role, effective_from),
    constraint check_labor_rates_role check (
        role in ('sales', 'designer', 'production', 'qc', 'finance', 'manager', 'admin')
    ),
    constraint check_labor_rates_hourly_rate check (hourly_rate >= 0)
);
comment on constraint unique_labor_rates_role on app.labor_rates is
'This role already has a rate from that date; change it instead.';
comment on constraint check_labor_rates_hourly_rate on app.labor_rates is 'An hourly rate is zero or more.';

create table app.leads (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    name text not null,
    source text not null,
    client_id uuid,
    status text not null default 'new',
    contact_name text,
    email extensions.citext,
    phone text,
    estimated_value numeric(12, 2),
    expected_close date,
    notes text,
    created_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_leads primary key (tenant_id, id),
    constraint fk_leads_client_id_clients foreign key (tenant_id, client_id) references app.clients (tenant_id, id),
    constraint fk_leads_created_by_users foreign key (tenant_id, created_by) references app.users (tenant_id, id),
    constraint check_leads_name check (btrim(name) <> ''),
    constraint check_leads_source check (btrim(source) <> ''),
    constraint check_leads_status check (
        status in ('new', 'contacted', 'qualified', 'proposal', 'closed_won', 'closed_lost')
    ),
    constraint check_leads_estimated_value check (estimated_value >= 0)
);
comment on constraint check_leads_status on app.leads is
'A lead status is new, contacted, qualified, proposal, closed_won or closed_lost.';
comment on constraint fk_leads_client_id_clients on app.leads is 'No such client in this tenant.';
create index index_leads_on_client_id on app.leads (tenant_id, client_id);
create index index_leads_on_created_by on app.leads (tenant_id, created_by);
create index index_leads_on_status on app.leads (tenant_id, status, created_at);

create table app.quotes (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    quote_number text not null,
    lead_id uuid,
    client_id uuid not null,
    -- The order's type: it picks the project template when the quote is accepted.
    project_type text not null,
    title text,
    status text not null default 'draft',
    valid_from date not null default current_date,
    valid_until date not null default current_date + 30,
    currency char(3) not null default 'USD',
    notes text,
    created_by uuid,
    sent_at timestamptz,
    reminded_at timestamptz,
    accepted_by uuid,
    accepted_at timestamptz,
    rejected_at timestamptz,
    rejection_reason text,
    expired_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_quotes primary key (tenant_id, id),
    constraint fk_quotes_lead_id_leads foreign key (tenant_id, lead_id)
    references app.leads (tenant_id, id) on delete set null (lead_id),
    constraint fk_quotes_client_id_clients foreign key (tenant_id, client_id) references app.clients (tenant_id, id),
    constraint fk_quotes_created_by_users foreign key (tenant_id, created_by) references app.users (tenant_id, id),
    constraint fk_quotes_accepted_by_users foreign key (tenant_id, accepted_by) references app.users (tenant_id, id),
    constraint unique_quotes_quote_number unique (tenant_id, quote_number),
    constraint check_quotes_status check (status in ('draft', 'sent', 'accepted', 'rejected', 'expired')),
    constraint check_quotes_validity check (valid_until >= valid_from),
    constraint check_quotes_project_type check (project_type ~ '^[a-z0-9_]+$'),
    constraint check_quotes_currency check (currency ~ '^[A-Z]{3}$'),
    constraint check_quotes_accepted check ((status = 'accepted') = (accepted_at is not null))
);
comment on constraint check_quotes_validity on app.quotes is
'A quote cannot be valid until a date before it is valid from.';
comment on constraint check_quotes_project_type on app.quotes is
'A project type is lowercase letters, digits and underscores (for example banner).';
comment on constraint fk_quotes_client_id_clients on app.quotes is 'No such client in this tenant.';
comment on constraint fk_quotes_lead_id_leads on app.quotes is 'No such lead in this tenant.';
create index index_quotes_on_lead_id on app.quotes (tenant_id, lead_id);
create index index_quotes_on_client_id on app.quotes (tenant_id, client_id, status);
create index index_quotes_on_created_by on app.quotes (tenant_id, created_by);
create index index_quotes_on_accepted_by on app.quotes (tenant_id, accepted_by);
-- The expiry sweep looks across tenants for sent quotes by date.
create index index_quotes_on_sent_valid_until on app.quotes (valid_until) where status = 'sent';

-- Line money, one rounding rule (as invoice lines): gross rounds half-up to cents, the discount rounds on the
-- gross, tax on what is left; totals are sums of rounded lines.
create table app.quote_items (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    quote_id uuid not null,
    sequence integer not null default 1,
    product_id uuid,
    description text not null,
    quantity numeric(12, 2) not null,
    unit_price numeric(12, 2) not null,
    discount_pct numeric(5, 2) not null default 0,
    tax_rate numeric(5, 2) not null default 0,
    -- Money by the one rounding rule (internal.line_*, migration 0006).
    discount_amount numeric(12, 2) generated always as (
        internal.line_discount(quantity, unit_price, discount_pct)
    ) stored,
    line_total numeric(12, 2) generated always as (internal.line_net(quantity, unit_price, discount_pct)) stored,
    tax_amount numeric(12, 2) generated always as (
        internal.line_tax(quantity, unit_price, discount_pct, tax_rate)
    ) stored,
    fulfillment_type text not null default 'production',
    required_date date,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_quote_items primary key (tenant_id, id),
    constraint fk_quote_items_quote_id_quotes foreign key (tenant_id, quote_id)
    references app.quotes (tenant_id, id) on delete cascade,
    constraint fk_quote_items_product_id_products foreign key (tenant_id, product_id)
    references app.products (tenant_id, id),
    constraint check_quote_items_quantity check (quantity > 0),
    constraint check_quote_items_unit_price check (unit_price >= 0),
    constraint check_quote_items_discount_pct check (discount_pct between 0 and 100),
    constraint check_quote_items_tax_rate check (tax_rate between 0 and 100),
    constraint check_quote_items_description check (btrim(description) <> ''),
    constraint check_quote_items_fulfillment check (fulfillment_type in ('production', 'stock', 'service', 'shipping'))
);
comment on constraint check_quote_items_quantity on app.quote_items is 'A line quantity is more than zero.';
comment on constraint check_quote_items_unit_price on app.quote_items is 'A unit price is zero or more.';
comment on constraint check_quote_items_discount_pct on app.quote_items is 'A discount is a percentage from 0 to 100.';
comment on constraint check_quote_items_tax_rate on app.quote_items is 'A tax rate is a percentage from 0 to 100.';
comment on constraint check_quote_items_description on app.quote_items is 'A line needs a description.';
comment on constraint fk_quote_items_product_id_products on app.quote_items is 'No such product in this tenant.';
create index index_quote_items_on_quote_id on app.quote_items (tenant_id, quote_id, sequence);
create index index_quote_items_on_product_id on app.quote_items (tenant_id, product_id);

create table app.orders (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    order_number text not null,
    quote_id uuid,
    client_id uuid not null,
    project_type text not null,
    status text not null default 'pending',
    po_number text,
    priority text not null default 'normal',
    promised_date date,
    currency char(3) not null default 'USD',
    -- Fixed when the order is confirmed, from the tenant's rule then; what was received is derived (api.orders).
    deposit_required numeric(12, 2) not null default 0,
    notes text,
    created_by uuid,
    completed_at timestamptz,
    cancelled_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_orders primary key (tenant_id, id),
    constraint fk_orders_quote_id_quotes foreign key (tenant_id, quote_id)
    references app.quotes (tenant_id, id) on delete set null (quote_id),
    constraint fk_orders_client_id_clients foreign key (tenant_id, client_id) references app.clients (tenant_id, id),
    constraint fk_orders_created_by_users foreign key (tenant_id, created_by) references app.users (tenant_id, id),
    constraint unique_orders_order_number unique (tenant_id, order_number),
    constraint unique_orders_quote_id unique (tenant_id, quote_id),
    constraint check_orders_status check (
        status in ('pending', 'in_production', 'on_hold', 'ready', 'completed', 'cancelled')
    ),
    constraint check_orders_priority check (priority in ('low', 'normal', 'high', 'rush')),
    constraint check_orders_project_type check (project_type ~ '^[a-z0-9_]+$'),
    constraint check_orders_currency check (currency ~ '^[A-Z]{3}$'),
    constraint check_orders_deposit_required check (deposit_required >= 0)
);
comment on constraint unique_orders_quote_id on app.orders is 'This quote already has its order.';
comment on constraint check_orders_priority on app.orders is 'A priority is low, normal, high or rush.';
comment on constraint check_orders_status on app.orders is
'An order status is pending, in_production, on_hold, ready, completed or cancelled.';
comment on constraint fk_orders_client_id_clients on app.orders is 'No such client in this tenant.';
comment on constraint check_orders_project_type on app.orders is
'A project type is lowercase letters, digits and underscores (for example banner).';
create index index_orders_on_client_id on app.orders (tenant_id, client_id, status);
create index index_orders_on_created_by on app.orders (tenant_id, created_by);
create index index_orders_on_status_created_at on app.orders (tenant_id, status, created_at);

create table app.order_items (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    order_id uuid not null,
    sequence integer not null default 1,
    quote_item_id uuid,
    product_id uuid,
    description text not null,
    quantity numeric(12, 2) not null,
    unit_price numeric(12, 2) not null,
    discount_pct numeric(5, 2) not null default 0,
    tax_rate numeric(5, 2) not null default 0,
    -- Money by the one rounding rule (internal.line_*, migration 0006).
    discount_amount numeric(12, 2) generated always as (
        internal.line_discount(quantity, unit_price, discount_pct)
    ) stored,
    line_total numeric(12, 2) generated always as (internal.line_net(quantity, unit_price, discount_pct)) stored,
    tax_amount numeric(12, 2) generated always as (
        internal.line_tax(quantity, unit_price, discount_pct, tax_rate)
    ) stored,
    fulfillment_type text not null default 'production',
    required_date date,
    production_notes text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_order_items primary key (tenant_id, id),
    constraint fk_order_items_order_id_orders foreign key (tenant_id, order_id)
    references app.orders (tenant_id, id) on delete cascade,
    constraint fk_order_items_quote_item_id_quote_items foreign key (tenant_id, quote_item_id)
    references app.quote_items (tenant_id, id) on delete set null (quote_item_id),
    constraint fk_order_items_product_id_products foreign key (tenant_id, product_id)
    references app.products (tenant_id, id),
    constraint check_order_items_quantity check (quantity > 0),
    constraint check_order_items_unit_price check (unit_price >= 0),
    constraint check_order_items_discount_pct check (discount_pct between 0 and 100),
    constraint check_order_items_tax_rate check (tax_rate between 0 and 100),
    constraint check_order_items_description check (btrim(description) <> ''),
    constraint check_order_items_fulfillment check (fulfillment_type in ('production', 'stock', 'service', 'shipping'))
);
comment on constraint check_order_items_quantity on app.order_items is 'A line quantity is more than zero.';
comment on constraint check_order_items_unit_price on app.order_items is 'A unit price is zero or more.';
comment on constraint check_order_items_discount_pct on app.order_items is 'A discount is a percentage from 0 to 100.';
comment on constraint check_order_items_tax_rate on app.order_items is 'A tax rate is a percentage from 0 to 100.';
comment on constraint check_order_items_description on app.order_items is 'A line needs a description.';
comment on constraint fk_order_items_product_id_products on app.order_items is 'No such product in this tenant.';
create index index_order_items_on_order_id on app.order_items (tenant_id, order_id, sequence);
create index index_order_items_on_quote_item_id on app.order_items (tenant_id, quote_item_id);
create index index_order_items_on_product_id on app.order_items (tenant_id, product_id);

-- Orders now exist: invoices, their lines and projects point at them.
alter table app.invoices add constraint fk_invoices_order_id_orders foreign key (tenant_id, order_id)
references app.orders (tenant_id, id);
comment on constraint fk_invoices_order_id_orders on app.invoices is 'No such order in this tenant.';
alter table app.invoice_lines add constraint fk_invoice_lines_order_item_id_order_items
foreign key (tenant_id, order_item_id) references app.order_items (tenant_id, id);
comment on constraint fk_invoice_lines_order_item_id_order_items on app.invoice_lines is
'No such order item in this tenant.';
alter table app.projects add constraint fk_projects_order_id_orders foreign key (tenant_id, order_id)
references app.orders (tenant_id, id);
comment on constraint fk_projects_order_id_orders on app.projects is 'No such order in this tenant.';

-- Seed 003 §3.4: a printable ticket per project; its QR says PRJ:<project_code>; scans are checkpoints.
create table app.job_tickets (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    ticket_code text not null,
    project_id uuid not null,
    order_id uuid,
    stage_id uuid,
    qr_payload text not null,
    metadata jsonb not null default '{}',
    generated_at timestamptz not null default now(),
    printed_at timestamptz,
    last_scanned_at timestamptz,
    last_station text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_job_tickets primary key (tenant_id, id),
    constraint fk_job_tickets_project_id_projects foreign key (tenant_id, project_id)
    references app.projects (tenant_id, id) on delete cascade,
    constraint fk_job_tickets_order_id_orders foreign key (tenant_id, order_id) references app.orders (tenant_id, id),
    constraint fk_job_tickets_stage_id_stages foreign key (tenant_id, stage_id)
    references app.stages (tenant_id, id) on delete set null (stage_id),
    constraint unique_job_tickets_ticket_code unique (tenant_id, ticket_code),
    constraint check_job_tickets_qr_payload check (qr_payload ~ '^PRJ:'),
    constraint check_job_tickets_metadata check (jsonb_typeof(metadata) = 'object')
);
create index index_job_tickets_on_project_id on app.job_tickets (tenant_id, project_id);
create index index_job_tickets_on_order_id on app.job_tickets (tenant_id, order_id);
create index index_job_tickets_on_stage_id on app.job_tickets (tenant_id, stage_id);
create index index_job_tickets_on_qr_payload on app.job_tickets (tenant_id, qr_payload);

create table app.job_ticket_scans (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    ticket_id uuid not null,
    station text not null,
    stage_id uuid,
    scanned_by uuid,
    scanned_at timestamptz not null default clock_timestamp(),
    constraint pk_job_ticket_scans primary key (tenant_id, id),
    constraint fk_job_ticket_scans_ticket_id_job_tickets foreign key (tenant_id, ticket_id)
    references app.job_tickets (tenant_id, id) on delete cascade,
    constraint fk_job_ticket_scans_stage_id_stages foreign key (tenant_id, stage_id)
    references app.stages (tenant_id, id) on delete set null (stage_id),
    constraint fk_job_ticket_scans_scanned_by_users foreign key (tenant_id, scanned_by)
    references app.users (tenant_id, id),
    constraint check_job_ticket_scans_station check (btrim(station) <> '' and length(station) <= 60)
);
comment on constraint check_job_ticket_scans_station on app.job_ticket_scans is
'A station is a name of 1 to 60 characters (for example print or laminate).';
create index index_job_ticket_scans_on_ticket_id on app.job_ticket_scans (tenant_id, ticket_id, scanned_at);
create index index_job_ticket_scans_on_stage_id on app.job_ticket_scans (tenant_id, stage_id);
create index index_job_ticket_scans_on_scanned_by on app.job_ticket_scans (tenant_id, scanned_by);

create table app.inventory_locations (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    name text not null,
    location_type text not null default 'warehouse',
    archived_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_inventory_locations primary key (tenant_id, id),
    constraint fk_inventory_locations_tenant_id_tenants foreign key (tenant_id) references app.tenants (id),
    constraint unique_inventory_locations_name unique (tenant_id, name),
    constraint check_inventory_locations_name check (btrim(name) <> ''),
    constraint check_inventory_locations_type check (location_type in ('warehouse', 'shop_floor', 'van', 'supplier'))
);
comment on constraint unique_inventory_locations_name on app.inventory_locations is
'A location with this name already exists.';
comment on constraint check_inventory_locations_type on app.inventory_locations is
'A location type is warehouse, shop_floor, van or supplier.';

-- Quantities move only through stock_movements (a trigger keeps the level in the same transaction).
create table app.inventory_levels (
    tenant_id uuid not null,
    product_id uuid not null,
    location_id uuid not null,
    quantity_on_hand numeric(12, 3) not null default 0,
    reorder_point numeric(12, 3) not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_inventory_levels primary key (tenant_id, product_id, location_id),
    constraint fk_inventory_levels_product_id_products foreign key (tenant_id, product_id)
    references app.products (tenant_id, id),
    constraint fk_inventory_levels_location_id_inventory_locations foreign key (tenant_id, location_id)
    references app.inventory_locations (tenant_id, id),
    constraint check_inventory_levels_reorder_point check (reorder_point >= 0)
);
comment on constraint check_inventory_levels_reorder_point on app.inventory_levels is
'A reorder point is zero or more.';
create index index_inventory_levels_on_location_id on app.inventory_levels (tenant_id, location_id);

-- Append-only ledger: a mistake is corrected by an adjusting movement, never by editing one.
create table app.stock_movements (
    tenant_id uuid not null,
    id uuid not null default gen_random_uuid(),
    product_id uuid not null,
    location_id uuid not null,
    to_location_id uuid,
    order_item_id uuid,
    movement_type text not null,
    -- Positive for consume, receive and transfer; for adjust, the signed change.
    quantity numeric(12, 3) not null,
    reference text,
    note text,
    created_by uuid,
    occurred_at timestamptz not null default now(),
    created_at timestamptz not null default now(),
    constraint pk_stock_movements primary key (tenant_id, id),
    constraint fk_stock_movements_product_id_products foreign key (tenant_id, product_id)
    references app.products (tenant_id, id),
    constraint fk_stock_movements_location_id_inventory_locations foreign key (tenant_id, location_id)
    references app.inventory_locations (tenant_id, id),
    constraint fk_stock_movements_to_location_id_inventory_locations foreign key (tenant_id, to_location_id)
    references app.inventory_locations (tenant_id, id),
    constraint fk_stock_movements_order_item_id_order_items foreign key (tenant_id, order_item_id)
    references app.order_items (tenant_id, id),
    constraint fk_stock_movements_created_by_users foreign key (tenant_id, created_by)
    references app.users (tenant_id, id),
    constraint check_stock_movements_type check (movement_type in ('consume', 'receive', 'adjust', 'transfer')),
    constraint check_stock_movements_quantity check (
        quantity <> 0 and (movement_type = 'adjust' or quantity > 0)
    ),
    constraint check_stock_movements_transfer check (
        (movement_type = 'transfer') = (to_location_id is not null) and to_location_id is distinct from location_id
    )
);
comment on constraint check_stock_movements_type on app.stock_movements is
'A movement is consume, receive, adjust or transfer.';
comment on constraint check_stock_movements_quantity on app.stock_movements is
'A quantity is more than zero (an adjustment is a signed change other than zero).';
comment on constraint check_stock_movements_transfer on app.stock_movements is
'A transfer names another location to move to (toLocationId); other movements do not.';
comment on constraint fk_stock_movements_product_id_products on app.stock_movements is
'No such product in this tenant.';
comment on constraint fk_stock_movements_location_id_inventory_locations on app.stock_movements is
'No such location in this tenant.';
comment on constraint fk_stock_movements_to_location_id_inventory_locations on app.stock_movements is
'No such location in this tenant.';
create index index_stock_movements_on_product_id on app.stock_movements (tenant_id, product_id, occurred_at);
create index index_stock_movements_on_location_id on app.stock_movements (tenant_id, location_id);
create index index_stock_movements_on_to_location_id on app.stock_movements (tenant_id, to_location_id);
create index index_stock_movements_on_order_item_id on app.stock_movements (tenant_id, order_item_id);
create index index_stock_movements_on_created_by on app.stock_movements (tenant_id, created_by);

-- Products and inventory permissions. Who gets them: sales and finance read the catalogue (to quote, to cost);
-- production reads and moves stock (consumes materials on the shop floor, receives deliveries); designers read
-- products (specs); managers and admins hold "*". Changing the catalogue itself (prices, labor rates) stays with
-- managers: products:write is granted to no other role.
insert into app.permissions (name, description) values
('products:read', 'See products, prices and labor rates'),
('products:write', 'Create and change products, prices and labor rates'),
('inventory:read', 'See stock levels, locations and movements'),
('inventory:write', 'Record stock movements and set reorder points');
insert into app.role_permissions (role, permission) values
('sales', 'products:read'), ('finance', 'products:read'), ('designer', 'products:read'),
('production', 'products:read'), ('production', 'inventory:read'), ('production', 'inventory:write');
