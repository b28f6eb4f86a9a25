"""Orders (seed 003 §2.2): view api.orders, functions api.create_order (manual or from a quote: project, deposit
invoice and job ticket follow in the same transaction), api.update_order and api.record_order_deposit."""

from uuid import UUID

from flask import Blueprint, url_for

from service.api.registry import operation
from service.api.rows import every, one, page, payload
from service.api.sales_models import DepositIn, DepositRecorded, Order, OrderDetail, OrderIn, OrderPatch, OrderQuery
from service.db import transaction
from service.errors import Problem

bp = Blueprint("orders", __name__, url_prefix="/api/v1")


def shaped(row: dict) -> dict:
    """The view's project columns as the nested {"project": {id, projectCode}} of seed 003 §2.2."""
    row = dict(row)
    row["project"] = {"id": row.pop("project_id", None), "project_code": row.pop("project_code", None)}
    return row


def order_row(conn, order_id) -> dict:
    return shaped(one(conn, "orders", order_id, "order"))


def ticket_url(ticket: dict) -> str:
    return url_for("job_tickets.ticket_pdf", project_id=ticket["project_id"], ticket_id=ticket["id"])


def _detail(conn, order_id) -> dict:
    order = order_row(conn, order_id)
    items = every(conn, "order_items", [("order_id = %s", order_id)], "sequence, id")
    project_id = order["project"]["id"]
    tickets = every(conn, "job_tickets", [("project_id = %s", project_id)], "generated_at, id") if project_id else []
    return {**order, "items": items, "job_tickets": [{**t, "pdf_url": ticket_url(t)} for t in tickets]}


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
        result = page(conn, "orders", filters, query, "created_at desc, id")
    result.items = [shaped(r) for r in result.items]
    return result


@operation(
    bp, "/orders", "POST", "Create an order from a quote (quoteId) or by hand; its project, deposit invoice and job "
    "ticket come with it", body=OrderIn, response=OrderDetail, status=201,
)
def create_order(identity, body: OrderIn):
    if body.quote_id and body.model_fields_set & {"client_id", "project_type", "items", "currency"}:
        raise Problem(422, "An order from a quote takes its client, type, currency and items from the quote.")
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
        return {**done, "order": shaped(row) if row else None}
