-- Inventory (seed 003 §5.2): a stock movement moves the level in its own transaction; a level goes below zero only
-- where the tenant allows it; falling below the reorder point records stock.low once per crossing.

create or replace function internal.tg_stock_movements__validate() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    product record;
begin
    select p.sku, p.track_inventory into product from app.products as p
    where p.tenant_id = new.tenant_id and p.id = new.product_id;
    if product.track_inventory is false then
        raise exception using
            errcode = 'PT422',
            message = format('Product %s does not track inventory.', product.sku),
            hint = 'Turn on track_inventory for it first.';
    end if;
    new.created_by := internal.current_user_id();
    return new;
end;
$$;

drop trigger if exists trg_stock_movements_100_validate on app.stock_movements;
create trigger trg_stock_movements_100_validate before insert on app.stock_movements
for each row execute function internal.tg_stock_movements__validate();

-- The ledger is append-only, whoever writes (the owner too).
create or replace function internal.tg_stock_movements__append_only() returns trigger
language plpgsql set search_path = ''
as $$
begin
    raise exception using
        errcode = 'PT409',
        message = 'A stock movement is never changed or deleted.',
        hint = 'Record an adjusting movement instead.';
end;
$$;

drop trigger if exists trg_stock_movements_110_append_only on app.stock_movements;
create trigger trg_stock_movements_110_append_only before update or delete on app.stock_movements
for each row execute function internal.tg_stock_movements__append_only();

-- Adds p_delta to a level, creating it at zero first (an upsert would run the insert checks on the delta itself);
-- the row lock of the update serialises concurrent movements.
create or replace function internal.move_stock(p_tenant_id uuid, p_product_id uuid, p_location_id uuid, p_delta numeric)
returns void
language sql volatile security definer set search_path = ''
begin atomic
    insert into app.inventory_levels (tenant_id, product_id, location_id)
    values (p_tenant_id, p_product_id, p_location_id)
    on conflict (tenant_id, product_id, location_id) do nothing;
    update app.inventory_levels as l set quantity_on_hand = l.quantity_on_hand + p_delta
    where l.tenant_id = p_tenant_id and l.product_id = p_product_id and l.location_id = p_location_id;
end;

create or replace function internal.tg_stock_movements__apply() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
    perform internal.move_stock(new.tenant_id, new.product_id, new.location_id, case new.movement_type
        when 'receive' then new.quantity when 'adjust' then new.quantity else -new.quantity end);
    if new.movement_type = 'transfer' then
        perform internal.move_stock(new.tenant_id, new.product_id, new.to_location_id, new.quantity);
    end if;
    return null;
end;
$$;

drop trigger if exists trg_stock_movements_500_apply on app.stock_movements;
create trigger trg_stock_movements_500_apply after insert on app.stock_movements
for each row execute function internal.tg_stock_movements__apply();

-- Below zero only where the tenant allows it (a level already below may still rise).
create or replace function internal.tg_inventory_levels__not_negative() returns trigger
language plpgsql set search_path = ''
as $$
begin
    if new.quantity_on_hand < 0 and (tg_op = 'INSERT' or new.quantity_on_hand < old.quantity_on_hand)
        and not internal.allows_negative_stock(new.tenant_id) then
        raise exception using
            errcode = 'PT409',
            message = format('Not enough stock: this would leave %s on hand.', new.quantity_on_hand),
            detail = format('product %s, location %s', new.product_id, new.location_id),
            hint = 'Receive or adjust stock first, or allow negative stock in the sales settings.';
    end if;
    return new;
end;
$$;

drop trigger if exists trg_inventory_levels_100_not_negative on app.inventory_levels;
create trigger trg_inventory_levels_100_not_negative before insert or update on app.inventory_levels
for each row execute function internal.tg_inventory_levels__not_negative();

-- Once per crossing: only a move from at-or-above the point to below it records stock.low, so further consumption
-- below stays quiet until the level has risen back and falls again. No flag is stored: the crossing is the event.
create or replace function internal.tg_inventory_levels__stock_low() returns trigger
language plpgsql set search_path = ''
as $$
begin
    if new.quantity_on_hand < new.reorder_point
        and (tg_op = 'INSERT' or old.quantity_on_hand >= old.reorder_point) then
        perform internal.record_event('stock.low', 'product', new.product_id, jsonb_build_object(
            'location_id', new.location_id, 'quantity_on_hand', new.quantity_on_hand,
            'reorder_point', new.reorder_point
        ));
    end if;
    return null;
end;
$$;

drop trigger if exists trg_inventory_levels_900_stock_low on app.inventory_levels;
create trigger trg_inventory_levels_900_stock_low after insert or update on app.inventory_levels
for each row execute function internal.tg_inventory_levels__stock_low();

-- Bodies are typed by their shapes (db/migrations/0017_shapes_sales.sql). p: {name, location_type}.
drop function if exists api.create_inventory_location(jsonb);
create or replace function api.create_inventory_location(p api.location_create) returns uuid
language sql volatile set search_path = ''
begin atomic
    select internal.require_access('inventory_locations', 'insert');
    insert into app.inventory_locations (tenant_id, name, location_type)
    values (internal.current_tenant_id(), p ->> 'name', coalesce(p ->> 'location_type', 'warehouse'))
    returning id;
end;

-- Sets the reorder point of a product at a location (the level starts at zero when new).
drop function if exists api.set_reorder_point(uuid, uuid, numeric);
create or replace function api.set_reorder_point(p_product_id uuid, p_location_id uuid, p_reorder_point app.quantity)
returns app.quantity
language sql volatile set search_path = ''
begin atomic
    select internal.require_access('inventory_levels', 'insert');
    insert into app.inventory_levels as l (tenant_id, product_id, location_id, reorder_point)
    values (internal.current_tenant_id(), p_product_id, p_location_id, p_reorder_point)
    on conflict (tenant_id, product_id, location_id) do update set reorder_point = excluded.reorder_point
    returning reorder_point;
end;

-- p: {product_id, location_id, movement_type, quantity, to_location_id, order_item_id, reference, note,
-- occurred_at}.
drop function if exists api.record_stock_movement(jsonb);
create or replace function api.record_stock_movement(p api.stock_movement_create) returns uuid
language sql volatile set search_path = ''
begin atomic
    select internal.require_access('stock_movements', 'insert');
    insert into app.stock_movements (
        tenant_id, product_id, location_id, to_location_id, order_item_id, movement_type, quantity, reference,
        note, occurred_at
    )
    values (
        internal.current_tenant_id(), (p ->> 'product_id')::uuid, (p ->> 'location_id')::uuid,
        (p ->> 'to_location_id')::uuid, (p ->> 'order_item_id')::uuid, p ->> 'movement_type',
        (p ->> 'quantity')::numeric, p ->> 'reference', p ->> 'note',
        coalesce((p ->> 'occurred_at')::timestamptz, now())
    )
    returning id;
end;
