"""Inventory: locations, levels (with reorder points) and the stock movement ledger; a movement moves the level
in the same database transaction (api.record_stock_movement), and below zero is refused unless allowed."""

from uuid import UUID

from flask import Blueprint

from service.api.models import PageQuery, Text
from service.api.registry import ApiModel, InModel, operation
from service.api.rows import one, page, payload
from service.api.sales_models import Level, LevelIn, LevelQuery, Movement, MovementIn, MovementQuery
from service.db import transaction

bp = Blueprint("inventory", __name__, url_prefix="/api/v1/inventory")


class LocationIn(InModel):
    name: Text
    location_type: Text | None = None


class Location(ApiModel):
    id: UUID
    name: str
    location_type: str


@operation(bp, "/locations", "GET", "List stock locations", query=PageQuery, response=Location, paged=True)
def list_locations(identity, query: PageQuery):
    with transaction(identity) as conn:
        return page(conn, "inventory_locations", [("archived_at is null", None)], query, "name, id")


@operation(bp, "/locations", "POST", "Create a stock location", body=LocationIn, response=Location, status=201)
def create_location(identity, body: LocationIn):
    with transaction(identity) as conn:
        new_id = conn.execute("select api.create_inventory_location(%s) as id", [payload(body)]).fetchone()["id"]
        return one(conn, "inventory_locations", new_id, "location")


@operation(bp, "/levels", "GET", "Stock levels (filter belowReorderPoint for the reorder report)", query=LevelQuery,
           response=Level, paged=True)
def list_levels(identity, query: LevelQuery):
    filters = [
        (f"{c} = %s", v)
        for c, v in [
            ("product_id", query.product_id), ("location_id", query.location_id),
            ("below_reorder_point", query.below_reorder_point),
        ]
        if v is not None
    ]
    with transaction(identity) as conn:
        return page(conn, "inventory_levels", filters, query, "sku, location_name")


@operation(bp, "/levels", "POST", "Set a product's reorder point at a location", body=LevelIn, response=Level)
def set_level(identity, body: LevelIn):
    with transaction(identity) as conn:
        conn.execute(
            "select api.set_reorder_point(%s, %s, %s)", [body.product_id, body.location_id, body.reorder_point]
        )
        return conn.execute(
            "select * from api.inventory_levels where product_id = %s and location_id = %s",
            [body.product_id, body.location_id],
        ).fetchone()


@operation(bp, "/movements", "GET", "The stock movement ledger", query=MovementQuery, response=Movement, paged=True)
def list_movements(identity, query: MovementQuery):
    filters = [(f"{c} = %s", v) for c, v in [("product_id", query.product_id), ("location_id", query.location_id)] if v]
    with transaction(identity) as conn:
        return page(conn, "stock_movements", filters, query, "occurred_at desc, id")


@operation(bp, "/movements", "POST", "Record a stock movement (consume, receive, adjust, transfer)", body=MovementIn,
           response=Movement, status=201)
def record_movement(identity, body: MovementIn):
    with transaction(identity) as conn:
        new_id = conn.execute("select api.record_stock_movement(%s) as id", [payload(body)]).fetchone()["id"]
        return one(conn, "stock_movements", new_id, "stock movement")
