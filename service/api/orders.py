"""Orders (seed 003 §2.2): view api.orders, functions api.create_order (manual or from a quote: project, deposit
invoice and job ticket follow in the same transaction), api.update_order and api.record_order_deposit."""

from uuid import UUID

from flask import Blueprint

from service.api.registry import operation
from service.api.rows import every, one, page, payload
from service.api.sales_models import DepositIn, DepositRecorded, Order, OrderDetail, OrderIn, OrderPatch, OrderQuery
from service.db import transaction

bp = Blueprint("orders", __name__, url_prefix="/api/v1")


def order_row(conn, order_id) -> dict:
    # The view nests {"project": {id, projectCode}} (seed 003 §2.2) itself.
    return one(conn, "orders", order_id, "order")


def _detail(conn, order_id) -> dict:
    order = order_row(conn, order_id)
    items = every(conn, "order_items", [("order_id = %s", order_id)], "sequence, id")
    project_id = order["project_id"]
    # Each ticket carries its pdf_url (api.job_tickets).
    tickets = every(conn, "job_tickets", [("project_id = %s", project_id)], "generated_at, id") if project_id else []
    return {**order, "items": items, "job_tickets": tickets}


@operation(bp, "/orders", "GET", "List orders", query=OrderQuery, response=Order, paged=True)
def list_orders(identity, query: OrderQuery):
    filters = [
        (cond, value)
        for cond, value in [
            ("status = %s", query.status),
            ("client_id = %s", query.customer_id),
            ("created_at >= %s::date", query.created_from),
            ("created_at < %s::date + 1", query.created_to),
        ]
        if value
    ]
    with transaction(identity) as conn:
        return page(conn, "orders", filters, query, "created_at desc, id")


@operation(
    bp, "/orders", "POST", "Create an order from a quote (quoteId) or by hand; its project, deposit invoice and job "
    "ticket come with it", body=OrderIn, response=OrderDetail, status=201,
)
def create_order(identity, body: OrderIn):
    # An order from a quote refuses client, type, currency and items in the database (api.create_order).
    with transaction(identity) as conn:
        made = conn.execute("select order_id from api.create_order(%s)", [payload(body)]).fetchone()
        return _detail(conn, made["order_id"])


@operation(
    bp, "/orders/<uuid:order_id>", "GET", "Get an order with items, deposit summary, project and job tickets",
    response=OrderDetail,
)
def get_order(identity, order_id: UUID):
    with transaction(identity) as conn:
        return _detail(conn, order_id)


@operation(
    bp, "/orders/<uuid:order_id>", "PATCH", "Change PO, priority, promised date, notes, or move the status",
    body=OrderPatch, response=OrderDetail,
)
def update_order(identity, order_id: UUID, body: OrderPatch):
    with transaction(identity) as conn:
        conn.execute("select api.update_order(%s, %s)", [order_id, payload(body)])
        return _detail(conn, order_id)


@operation(
    bp, "/orders/<uuid:order_id>/deposit", "POST", "Record a deposit payment and apply it to the order's deposit "
    "invoice", body=DepositIn, response=DepositRecorded, status=201,
)
def record_deposit(identity, order_id: UUID, body: DepositIn):
    with transaction(identity) as conn:
        done = conn.execute(
            "select * from api.record_order_deposit(%s, %s)", [order_id, payload(body)]
        ).fetchone()
        # The order itself only for those who may read orders (finance records deposits without orders:read).
        row = conn.execute("select * from api.orders where id = %s", [order_id]).fetchone()
        return {**done, "order": row}
