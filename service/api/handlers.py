"""The code behind routes that are more than a view or a function call: sign-in, signed file URLs, Stripe Checkout,
the ticket PDF, an approval's token, and the few answers that put several reads together."""

import logging
from typing import Literal
from uuid import UUID

import psycopg
from flask import Response, url_for
from pydantic import Field

from service.api.catalog import Type
from service.api.details import APPROVAL, COMMENT, FILE, INVOICE, ORDER_ROW, PAYMENT, QUOTE_ROW, TASK_ACTIVITY
from service.api.surface import call, one, page
from service.auth import Token, TokenRequest, sign_in
from service.db import get_pool, transaction
from service.errors import Problem
from service.payments import begin_checkout, get_gateway, open_session, record_checkout
from service.storage import get_storage
from service.tickets import ticket_pdf as render_ticket_pdf
from service.wire import ApiModel

log = logging.getLogger(__name__)


class Health(ApiModel):
    status: str


class FileUpload(ApiModel):
    file_id: UUID
    upload_url: str
    method: Literal["PUT", "POST"] = Field(description="POST: a multipart form with `fields` then `file`")
    fields: dict[str, str] | None = None
    headers: dict[str, str] | None = None
    expires_in: int


class Checkout(ApiModel):
    invoice_id: UUID
    attempt: int
    url: str


def healthz(route, plan, identity, path, body, query):
    # A PoolTimeout or OperationalError here becomes a 503 problem in service.errors.
    with get_pool().connection(timeout=2) as conn:
        conn.execute("select 1")
    return Health(status="ok")


def token(route, plan, identity, path, body: TokenRequest, query):
    access, ttl = sign_in(body.tenant, body.email, body.password)
    return Token(access_token=access, expires_in=ttl)


# Files.
def listed_file_model(s):
    url = (str | None, Field(None, description="signed, 10 minutes; with include=downloadUrl"))
    return s.shapes.extend("ListedFile", s.view_model("files"), download_url=url)


def signed_upload(file_id, key: str, content_type: str, size: int) -> FileUpload:
    target = get_storage().upload_target(key, content_type, size)
    return FileUpload(file_id=file_id, upload_url=target.url, method=target.method, fields=target.fields or None,
                      headers=target.headers or None, expires_in=target.expires_in)


def create_file(route, plan, identity, path, body, query):
    with transaction(identity) as conn:
        row = call(conn, "create_file", plan, path, body)[0]
    content_type = body.content_type or "application/octet-stream"
    return signed_upload(row["file_id"], row["storage_key"], content_type, body.size)


def confirm_file(route, plan, identity, path, body, query):
    storage = get_storage()
    with transaction(identity) as conn:
        key = one(conn, FILE, path["file_id"])["storage_key"]
    # Outside any transaction: reading the object back may take a while and should not hold a connection.
    stored = storage.stat(key)
    if stored is None:
        raise Problem(409, "Nothing has been uploaded for this file yet.", hint="Upload it, then confirm.")
    try:
        with transaction(identity) as conn:
            conn.execute("select api.confirm_file(%s, %s, %s)", [path["file_id"], stored.size, stored.sha256])
            return one(conn, FILE, path["file_id"])
    except psycopg.Error as e:
        if e.sqlstate == "PT413":  # over the limit: the bytes go, then the row (the failed transaction wrote nothing)
            storage.delete(key)
            with transaction(identity) as conn:
                conn.execute("select api.discard_file(%s)", [path["file_id"]])
        raise


def list_files(route, plan, identity, path, body, query):
    storage = get_storage()
    with transaction(identity) as conn:
        one(conn, route.parent, path["project_id"])
        result = page(conn, route, query, path)
        for row in result.items if query.include == "downloadUrl" else []:
            if row["state"] == "available":
                # Logged in the same transaction as the URL is handed out: no URL without its log row.
                conn.execute("select api.log_file_access(%s)", [row["id"]])
                row["download_url"] = storage.download_url(row["storage_key"], row["file_name"], row["content_type"])
        return result


def delete_file(route, plan, identity, path, body, query):
    with transaction(identity) as conn:
        key = one(conn, FILE, path["file_id"])["storage_key"]
        conn.execute("select api.delete_file(%s)", [path["file_id"]])
    # After the commit, so a refused delete keeps its bytes; a failure here leaves an orphan object, not a
    # downloadable file (the row says deleted, and no URL is signed for it again).
    try:
        get_storage().delete(key)
    except Exception:
        log.exception("file %s is deleted but its object %s could not be removed", path["file_id"], key)


def activity_added(s):
    return s.shapes.extend(
        "ActivityAdded", ApiModel, type=(str, ...), activity=(s.view_model("task_activity"), ...),
        comment=(s.view_model("comments") | None, None), upload=(FileUpload | None, None),
    )


def add_activity(route, plan, identity, path, body, query):
    with transaction(identity) as conn:
        made = call(conn, "add_task_activity", plan, path, body)[0]
        activity = one(conn, TASK_ACTIVITY, made["activity_id"])
        comment = one(conn, COMMENT, made["comment_id"]) if made["comment_id"] else None
    upload = None
    if made["file_id"]:
        content_type = body.content_type or "application/octet-stream"
        upload = signed_upload(made["file_id"], made["storage_key"], content_type, body.size)
    return {"type": body.type, "activity": activity, "comment": comment, "upload": upload}


# Approvals.
def approval_requested_model(s):
    token = (str, Field(description="shown once; only its hash is stored"))
    return s.shapes.extend("ApprovalRequested", s.read_model(APPROVAL), token=token, decision_url=(str, ...))


def approval_requested(conn, result, path, body):
    row = result[0]
    approval = one(conn, APPROVAL, row["approval_id"])
    # Only the token's hash is stored: this answer is the one chance to read it.
    decision_url = url_for("approvals.decide", token=row["token"], _external=True)
    return {**approval, "token": row["token"], "decision_url": decision_url}


def decision_model(s):
    # The approver is anonymous: the answer says what became of the approval and the stage, not their ids.
    told = ("approval_id", "status", "stage_status")
    columns = [c for c in s.catalog.functions["decide_approval"].returns if c.name in told]
    return s.shapes.model("Decision", columns, request=False)


def decide(route, plan, identity, path, body, query):
    # No identity: the token alone finds the tenant, inside api.decide_approval.
    with transaction() as conn:
        row = call(conn, "decide_approval", plan, path, body)[0]
    # A token that has just run out is marked expired by the call above; that must be committed (it is, the block
    # has ended) before the caller hears 410, or the next attempt would find it pending again.
    if row["status"] == "expired":
        raise Problem(410, "This approval link has expired; ask for a new one.", code="PT410")
    return row


# Invoices: sending, with a Stripe Checkout page when Stripe is on (service.payments).
def invoice_sent(s):
    return s.shapes.extend("InvoiceSent", s.read_model(INVOICE), checkout_url=(str | None, Field(
        None, description="Stripe Checkout for the balance, when Stripe is on")))


def send_invoice(route, plan, identity, path, body, query):
    gateway, invoice_id = get_gateway(), path["invoice_id"]
    with transaction(identity) as conn:
        conn.execute("select api.send_invoice(%s)", [invoice_id])
        begun = begin_checkout(conn, invoice_id) if gateway else None
    # Committed: the invoice is sent whatever Stripe does now. A failed checkout leaves its attempt open, and
    # POST .../checkout retries it under the same idempotency key, so Stripe never makes two sessions for it.
    session = None
    if begun is not None:
        try:
            session = open_session(gateway, identity.tenant_id, invoice_id, begun)
        except Problem as e:
            e.detail = f"The invoice was sent, but its checkout page was not made. {e.detail}"
            e.hint = f"POST /api/v1/invoices/{invoice_id}/checkout to try again."
            raise
    with transaction(identity) as conn:
        if session is not None:
            record_checkout(conn, invoice_id, begun, session)
        return {**one(conn, INVOICE, invoice_id), "checkout_url": session.url if session else None}


def checkout(route, plan, identity, path, body, query):
    gateway, invoice_id = get_gateway(), path["invoice_id"]
    if gateway is None:
        raise Problem(503, "Online payment is not configured (STRIPE_API_KEY is not set).")
    with transaction(identity) as conn:
        begun = begin_checkout(conn, invoice_id)
    session = open_session(gateway, identity.tenant_id, invoice_id, begun)
    with transaction(identity) as conn:
        record_checkout(conn, invoice_id, begun, session)
    return {"invoice_id": invoice_id, "attempt": begun["attempt"], "url": session.url}


def ticket_pdf(route, plan, identity, path, body, query):
    with transaction(identity) as conn:
        ticket = conn.execute(
            "select * from api.job_tickets where id = %s and project_id = %s", [path["ticket_id"], path["project_id"]]
        ).fetchone()
    if ticket is None:
        raise Problem(404, f"No job ticket with id {path['ticket_id']} on project {path['project_id']}.")
    disposition = f'inline; filename="{ticket["ticket_code"]}.pdf"'
    return Response(render_ticket_pdf(ticket), mimetype="application/pdf",
                    headers={"Content-Disposition": disposition})


# Answers that put several reads together.
def accepted_model(s):
    project = s.shapes.shape(Type("object", "api.project_ref", shape="api.project_ref"), False)
    return s.shapes.extend("Accepted", ApiModel, quote=(s.view_model("quotes"), ...),
                           order=(s.view_model("orders"), ...), project=(project, ...))


def accepted(conn, result, path, body):
    made = result[0]
    return {
        "quote": one(conn, QUOTE_ROW, path["quote_id"]),
        "order": one(conn, ORDER_ROW, made["order_id"]),
        "project": {"id": made["project_id"], "project_code": made["project_code"]},
    }


def deposit_recorded_model(s):
    base = s.shapes.model("RecordOrderDepositResult", s.catalog.functions["record_order_deposit"].returns, False)
    order = (s.view_model("orders") | None, Field(description="null unless the caller may read orders"))
    return s.shapes.extend("DepositRecorded", base, order=order)


def deposit_recorded(conn, result, path, body):
    # The order itself only for those who may read orders (finance records deposits without orders:read).
    found = conn.execute("select * from api.orders where id = %s", [path["order_id"]]).fetchone()
    return {**result[0], "order": found}


def applied_model(s):
    # Each invoice's new balance and status; the payment's own unapplied amount is in `payment`.
    columns = [c for c in s.catalog.functions["apply_payment"].returns if c.name != "payment_unapplied"]
    invoices = s.shapes.model("InvoiceBalance", columns, False)
    return s.shapes.extend("Applied", ApiModel, payment=(s.read_model(PAYMENT), ...), invoices=(list[invoices], ...))


def applied(conn, result, path, body):
    return {"payment": one(conn, PAYMENT, path["payment_id"]), "invoices": result}


def level(conn, result, path, body):
    found = "select * from api.inventory_levels where product_id = %s and location_id = %s"
    return conn.execute(found, [body.product_id, body.location_id]).fetchone()
