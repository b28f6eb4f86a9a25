"""Quotes: view api.quotes / api.quote_items, functions api.*_quote; accepting one creates its order, project,
deposit invoice and job ticket in one database transaction (api.accept_quote)."""

from uuid import UUID

from flask import Blueprint

from service.api.orders import order_row
from service.api.registry import operation
from service.api.rows import every, one, page, payload
from service.api.sales_models import Accepted, QuoteCreate, QuoteDetail, QuotePatch, QuoteQuery, RejectIn
from service.db import transaction

bp = Blueprint("quotes", __name__, url_prefix="/api/v1")


def _detail(conn, quote_id) -> dict:
    quote = one(conn, "quotes", quote_id, "quote")
    return {**quote, "items": every(conn, "quote_items", [("quote_id = %s", quote_id)], "sequence, id")}


@operation(bp, "/quotes", "GET", "List quotes with their totals", query=QuoteQuery, response=QuoteDetail, paged=True)
def list_quotes(identity, query: QuoteQuery):
    filters = [(f"{c} = %s", v) for c, v in [("status", query.status), ("client_id", query.customer_id)] if v]
    with transaction(identity) as conn:
        result = page(conn, "quotes", filters, query, "created_at desc, id")
        result.items = [_detail(conn, q["id"]) for q in result.items]
    return result


@operation(bp, "/quotes", "POST", "Create a draft quote with its items", body=QuoteCreate, response=QuoteDetail,
           status=201)
def create_quote(identity, body: QuoteCreate):
    with transaction(identity) as conn:
        new_id = conn.execute("select api.create_quote(%s) as id", [payload(body)]).fetchone()["id"]
        return _detail(conn, new_id)


@operation(bp, "/quotes/<uuid:quote_id>", "GET", "Get a quote with its items and totals", response=QuoteDetail)
def get_quote(identity, quote_id: UUID):
    with transaction(identity) as conn:
        return _detail(conn, quote_id)


@operation(bp, "/quotes/<uuid:quote_id>", "PATCH", "Change a draft (items replace all items)", body=QuotePatch,
           response=QuoteDetail)
def update_quote(identity, quote_id: UUID, body: QuotePatch):
    with transaction(identity) as conn:
        conn.execute("select api.update_quote(%s, %s)", [quote_id, payload(body)])
        return _detail(conn, quote_id)


@operation(bp, "/quotes/<uuid:quote_id>", "DELETE", "Delete a draft", status=204)
def delete_quote(identity, quote_id: UUID):
    with transaction(identity) as conn:
        conn.execute("select api.delete_quote(%s)", [quote_id])


@operation(bp, "/quotes/<uuid:quote_id>/send", "POST", "Send a draft to the client", response=QuoteDetail)
def send_quote(identity, quote_id: UUID):
    with transaction(identity) as conn:
        conn.execute("select api.send_quote(%s)", [quote_id])
        return _detail(conn, quote_id)


@operation(bp, "/quotes/<uuid:quote_id>/reject", "POST", "Record the client's rejection", body=RejectIn,
           response=QuoteDetail)
def reject_quote(identity, quote_id: UUID, body: RejectIn):
    with transaction(identity) as conn:
        conn.execute("select api.reject_quote(%s, %s)", [quote_id, body.reason])
        return _detail(conn, quote_id)


@operation(
    bp, "/quotes/<uuid:quote_id>/accept", "POST", "Accept a sent quote: order, project (stage 1 active), deposit "
    "invoice and job ticket, in one transaction", response=Accepted,
)
def accept_quote(identity, quote_id: UUID):
    with transaction(identity) as conn:
        made = conn.execute("select * from api.accept_quote(%s)", [quote_id]).fetchone()
        return {
            "quote": one(conn, "quotes", quote_id, "quote"),
            "order": order_row(conn, made["order_id"]),
            "project": {"id": made["project_id"], "project_code": made["project_code"]},
        }
