"""Payments received and their applications to invoices: views api.payments / api.payment_applications,
functions api.record_payment, api.apply_payment, api.unapply_payment. The database locks what an application
touches and refuses one that would exceed the invoice's balance or the payment's unapplied amount."""

from uuid import UUID

from flask import Blueprint
from psycopg.types.json import Jsonb

from service.api.billing_models import Applied, ApplyIn, Payment, PaymentCreate, PaymentDetail, PaymentQuery
from service.api.registry import operation
from service.api.rows import every, one, page, payload
from service.db import transaction

bp = Blueprint("payments", __name__, url_prefix="/api/v1")


def _detail(conn, payment_id) -> dict:
    payment = one(conn, "payments", payment_id, "payment")
    applications = every(conn, "payment_applications", [("payment_id = %s", payment_id)], "applied_at, id")
    return {**payment, "applications": applications}


@operation(bp, "/payments", "GET", "List payments", query=PaymentQuery, response=Payment, paged=True)
def list_payments(identity, query: PaymentQuery):
    filters = []
    if query.customer_id:
        filters.append(("client_id = %s", query.customer_id))
    if query.status:
        filters.append(("status = %s", query.status))
    with transaction(identity) as conn:
        return page(conn, "payments", filters, query, "received_at desc, id")


@operation(bp, "/payments", "POST", "Record a payment received", body=PaymentCreate, response=PaymentDetail, status=201)
def record_payment(identity, body: PaymentCreate):
    with transaction(identity) as conn:
        new_id = conn.execute("select api.record_payment(%s) as id", [payload(body)]).fetchone()["id"]
        return _detail(conn, new_id)


@operation(bp, "/payments/<uuid:payment_id>", "GET", "Get a payment with its applications", response=PaymentDetail)
def get_payment(identity, payment_id: UUID):
    with transaction(identity) as conn:
        return _detail(conn, payment_id)


@operation(
    bp,
    "/payments/<uuid:payment_id>/apply",
    "POST",
    "Apply a payment to invoices; answers the invoices' new balances and statuses",
    body=ApplyIn,
    response=Applied,
)
def apply_payment(identity, payment_id: UUID, body: ApplyIn):
    applications = Jsonb(body.model_dump(mode="json")["applications"])
    with transaction(identity) as conn:
        invoices = conn.execute("select * from api.apply_payment(%s, %s)", [payment_id, applications]).fetchall()
        return {"payment": _detail(conn, payment_id), "invoices": invoices}


@operation(
    bp,
    "/payment-applications/<uuid:application_id>",
    "DELETE",
    "Take an application back; the invoice's balance is restored",
    status=204,
)
def unapply_payment(identity, application_id: UUID):
    with transaction(identity) as conn:
        conn.execute("select api.unapply_payment(%s)", [application_id])
