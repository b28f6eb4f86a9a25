"""Invoices and their lines: view api.invoices / api.invoice_lines, functions api.*_invoice, the draft made from a
project's delivered work, and Stripe Checkout for a sent invoice (service.payments)."""

from uuid import UUID

from flask import Blueprint

from service.api.billing_models import (
    Checkout,
    DraftCreate,
    Invoice,
    InvoiceCreate,
    InvoiceDetail,
    InvoicePatch,
    InvoiceQuery,
    InvoiceSent,
)
from service.api.registry import operation
from service.api.rows import every, one, page, payload
from service.db import Identity, transaction
from service.errors import Problem
from service.payments import CheckoutRequest, CheckoutSession, PaymentGateway, get_gateway

bp = Blueprint("invoices", __name__, url_prefix="/api/v1")


def _detail(conn, invoice_id) -> dict:
    invoice = one(conn, "invoices", invoice_id, "invoice")
    by_invoice = [("invoice_id = %s", invoice_id)]
    lines = every(conn, "invoice_lines", by_invoice, "sequence, id")
    payments = every(conn, "payment_applications", by_invoice, "applied_at, id")
    return {**invoice, "lines": lines, "payments": payments}


def _begin_checkout(conn, invoice_id) -> dict:
    return conn.execute("select * from api.begin_stripe_checkout(%s)", [invoice_id]).fetchone()


def _create_session(gateway: PaymentGateway, identity: Identity, invoice_id, begun: dict) -> CheckoutSession:
    # Outside any transaction: a slow Stripe must not hold a connection or the invoice's row.
    return gateway.create_checkout(
        CheckoutRequest(
            tenant_id=str(identity.tenant_id),
            invoice_id=str(invoice_id),
            invoice_number=begun["invoice_number"],
            amount_due=begun["amount_due"],
            amount_due_minor=begun["amount_due_minor"],
            currency=begun["currency"],
            client_email=begun["client_email"],
            idempotency_key=begun["idempotency_key"],
        )
    )


def _record_checkout(conn, invoice_id, begun: dict, session: CheckoutSession) -> None:
    conn.execute(
        "select api.record_stripe_checkout(%s, %s, %s, %s)", [invoice_id, begun["attempt"], session.id, session.url]
    )


@operation(bp, "/invoices", "GET", "List invoices with their totals", query=InvoiceQuery, response=Invoice, paged=True)
def list_invoices(identity, query: InvoiceQuery):
    filters = []
    for column, value in [
        ("status", query.status),
        ("client_id", query.customer_id),
        ("order_id", query.order_id),
        ("project_id", query.project_id),
    ]:
        if value:
            filters.append((f"{column} = %s", value))
    with transaction(identity) as conn:
        return page(conn, "invoices", filters, query, "created_at desc, id")


@operation(
    bp, "/invoices", "POST", "Create a draft invoice with its items", body=InvoiceCreate, response=InvoiceDetail,
    status=201,
)
def create_invoice(identity, body: InvoiceCreate):
    with transaction(identity) as conn:
        new_id = conn.execute("select api.create_invoice(%s) as id", [payload(body)]).fetchone()["id"]
        return _detail(conn, new_id)


@operation(
    bp,
    "/projects/<uuid:project_id>/invoice-drafts",
    "POST",
    "Make a draft invoice from the project's delivered, unbilled work",
    body=DraftCreate,
    response=InvoiceDetail,
    status=201,
)
def generate_draft(identity, project_id: UUID, body: DraftCreate):
    with transaction(identity) as conn:
        new_id = conn.execute(
            "select api.generate_invoice_draft(%s, %s) as id", [project_id, payload(body)]
        ).fetchone()["id"]
        return _detail(conn, new_id)


@operation(
    bp, "/invoices/<uuid:invoice_id>", "GET", "Get an invoice with its lines and payments", response=InvoiceDetail
)
def get_invoice(identity, invoice_id: UUID):
    with transaction(identity) as conn:
        return _detail(conn, invoice_id)


@operation(
    bp,
    "/invoices/<uuid:invoice_id>",
    "PATCH",
    "Change a draft's dates, notes and line descriptions, or void a sent invoice",
    body=InvoicePatch,
    response=InvoiceDetail,
)
def update_invoice(identity, invoice_id: UUID, body: InvoicePatch):
    # Voiding (status void with voidReason, on their own) is the database's: api.update_invoice calls it.
    with transaction(identity) as conn:
        conn.execute("select api.update_invoice(%s, %s)", [invoice_id, payload(body)])
        return _detail(conn, invoice_id)


@operation(bp, "/invoices/<uuid:invoice_id>", "DELETE", "Delete a draft; its tasks can be billed again", status=204)
def delete_invoice(identity, invoice_id: UUID):
    with transaction(identity) as conn:
        conn.execute("select api.delete_invoice(%s)", [invoice_id])


@operation(
    bp,
    "/invoices/<uuid:invoice_id>/send",
    "POST",
    "Send a draft: it gets its number; with Stripe on, a checkout page for it too",
    response=InvoiceSent,
)
def send_invoice(identity, invoice_id: UUID):
    gateway = get_gateway()
    with transaction(identity) as conn:
        conn.execute("select api.send_invoice(%s)", [invoice_id])
        begun = _begin_checkout(conn, invoice_id) if gateway else None
    # Committed: the invoice is sent whatever Stripe does now. A failed checkout leaves its attempt open, and
    # POST .../checkout retries it under the same idempotency key, so Stripe never makes two sessions for it.
    session = None
    if begun is not None:
        try:
            session = _create_session(gateway, identity, invoice_id, begun)
        except Problem as e:
            e.detail = f"The invoice was sent, but its checkout page was not made. {e.detail}"
            e.hint = f"POST /api/v1/invoices/{invoice_id}/checkout to try again."
            raise
    with transaction(identity) as conn:
        if session is not None:
            _record_checkout(conn, invoice_id, begun, session)
        return {**_detail(conn, invoice_id), "checkout_url": session.url if session else None}


@operation(
    bp,
    "/invoices/<uuid:invoice_id>/checkout",
    "POST",
    "A Stripe Checkout page for a sent invoice's balance (again, after a failure)",
    response=Checkout,
)
def checkout(identity, invoice_id: UUID):
    gateway = get_gateway()
    if gateway is None:
        raise Problem(503, "Online payment is not configured (STRIPE_API_KEY is not set).")
    with transaction(identity) as conn:
        begun = _begin_checkout(conn, invoice_id)
    session = _create_session(gateway, identity, invoice_id, begun)
    with transaction(identity) as conn:
        _record_checkout(conn, invoice_id, begun, session)
    return {"invoice_id": invoice_id, "attempt": begun["attempt"], "url": session.url}
