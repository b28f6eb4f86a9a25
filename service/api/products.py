"""Products (the sales catalogue): view api.products, functions api.create_product / api.update_product."""

from uuid import UUID

from flask import Blueprint

from service.api.registry import operation
from service.api.rows import one, page, payload
from service.api.sales_models import Product, ProductCreate, ProductPatch, ProductQuery
from service.db import transaction

bp = Blueprint("products", __name__, url_prefix="/api/v1")


@operation(bp, "/products", "GET", "List products", query=ProductQuery, response=Product, paged=True)
def list_products(identity, query: ProductQuery):
    filters = [("archived_at is not null" if query.archived else "archived_at is null", None)]
    if query.q:
        filters.append(("(sku ilike %s or name ilike %s)", f"%{query.q}%"))
    with transaction(identity) as conn:
        return page(conn, "products", filters, query, "sku, id")


@operation(bp, "/products", "POST", "Create a product", body=ProductCreate, response=Product, status=201)
def create_product(identity, body: ProductCreate):
    with transaction(identity) as conn:
        new_id = conn.execute("select api.create_product(%s) as id", [payload(body)]).fetchone()["id"]
        return one(conn, "products", new_id, "product")


@operation(bp, "/products/<uuid:product_id>", "GET", "Get a product", response=Product)
def get_product(identity, product_id: UUID):
    with transaction(identity) as conn:
        return one(conn, "products", product_id, "product")


@operation(
    bp, "/products/<uuid:product_id>", "PATCH", "Change, archive or restore a product", body=ProductPatch,
    response=Product,
)
def update_product(identity, product_id: UUID, body: ProductPatch):
    with transaction(identity) as conn:
        conn.execute("select api.update_product(%s, %s)", [product_id, payload(body)])
        return one(conn, "products", product_id, "product")
