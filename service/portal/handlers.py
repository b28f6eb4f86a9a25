"""The portal's code for what is more than a view or a function call: signing in (the database issues and checks
codes, links and sessions; the service signs the session token), signed file URLs, Stripe Checkout. Pages
(service.portal.pages) use the same functions."""

import time
from uuid import UUID

from flask import current_app, make_response, request
from psycopg import sql
from pydantic import Field

from service.api.handlers import Checkout, FileUpload, signed_upload  # noqa: F401 (Checkout: the pay route's answer)
from service.api.surface import Page, Read, call, one, qualified
from service.db import transaction
from service.errors import Problem
from service.payments import get_gateway, open_session
from service.portal import auth
from service.storage import get_storage
from service.wire import ApiModel, InModel, Text

FILES = Read("portal.files", "file")
# Sign-in answers take at least this long, whether the address is known or not, so timing says nothing either.
_FLOOR_SECONDS = 0.25


class EmailIn(InModel):
    email: Text = Field(max_length=320)


class TokenIn(InModel):
    token: Text = Field(max_length=200)


class CodeIn(EmailIn):
    code: Text = Field(max_length=12)


class CompleteIn(InModel):
    file_id: UUID


class PayIn(InModel):
    invoice_id: UUID


class PortalMailAccepted(ApiModel):
    accepted: bool = True
    detail: str


class Session(ApiModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    csrf_token: str = Field(description="send it as X-CSRF-Token with writes authenticated by the cookie")


def _slow(started: float) -> None:
    time.sleep(max(0.0, _FLOOR_SECONDS - (time.monotonic() - started)))


def ask_magic_link(email: str) -> None:
    """Mail a sign-in link to every tenant's contact at this address; 429 when the address or email asked too often."""
    started = time.monotonic()
    with transaction() as conn:
        throttled = conn.execute("select portal.request_magic_link(%s, %s)", [email, request.remote_addr]).fetchone()
    _slow(started)
    if next(iter(throttled.values())):
        raise Problem(429, "Too many sign-in requests: try again in a few minutes.", headers={"Retry-After": "300"})


def ask_code(share_token: str, email: str) -> None:
    started = time.monotonic()
    with transaction() as conn:
        throttled = conn.execute("select portal.request_code(%s, %s, %s)",
                                 [share_token, email, request.remote_addr]).fetchone()
    _slow(started)
    if next(iter(throttled.values())):
        raise Problem(429, "Too many code requests: try again in a few minutes.", headers={"Retry-After": "300"})


_REFUSED = {
    "wrong": (401, "That code is not right. Check the latest mail and try again."),
    "locked": (429, "Too many wrong codes: this code no longer works. Ask for a new one."),
    "expired": (401, "That code or link has expired. Ask for a new one."),
    "used": (401, "That link was used already. Ask for a new one."),
    "unknown": (401, "That code or link is not right. Ask for a new one."),
    "throttled": (429, "Too many tries: wait a few minutes and ask for a new code."),
}


def session_from(sql: str, args: list) -> dict:
    """A session row from a sign-in function, committed (a wrong try counts even though the answer is an error)."""
    started = time.monotonic()
    with transaction() as conn:
        row = conn.execute(sql, args).fetchone()
    _slow(started)
    if row is None or row["outcome"] != "ok":
        status, detail = _REFUSED.get(row["outcome"] if row else "unknown", _REFUSED["unknown"])
        raise Problem(status, detail)
    return row


def signed_in(row: dict):
    """The session as the answer's JSON and as the cookie pages use."""
    token, csrf, ttl = auth.issue(row)
    response = make_response(Session(access_token=token, expires_in=ttl, csrf_token=csrf).model_dump(by_alias=True))
    return auth.set_cookie(response, token, ttl)


def request_magic_link(route, plan, identity, path, body: EmailIn, query):
    ask_magic_link(body.email)
    return PortalMailAccepted(detail="If this address belongs to a client contact, a sign-in link is on its way.")


def exchange(route, plan, identity, path, body: TokenIn, query):
    return signed_in(session_from("select * from portal.exchange_magic_link(%s, %s)", [body.token,
                                                                                     request.remote_addr]))


def request_code(route, plan, identity, path, body: EmailIn, query):
    ask_code(path["share_token"], body.email)
    return PortalMailAccepted(
        detail="If this address belongs to a contact of this project's client, a code is on its way.")


def verify_code(route, plan, identity, path, body: CodeIn, query):
    args = [path["share_token"], body.email, body.code, request.remote_addr]
    return signed_in(session_from("select * from portal.verify_code(%s, %s, %s, %s)", args))


def end_session(identity) -> None:
    with transaction(identity) as conn:
        conn.execute("select portal.end_session()")


def logout(route, plan, identity, path, body, query):
    end_session(identity)
    response = make_response("", 204)
    auth.clear_cookie(response)
    return response


# Approvals by token (the link's token is the authority; a session, when present, must be of the same client).
def approval_model(s):
    files = s.shapes.model("ApprovalFile", [c for c in s.catalog.functions["portal.approval_files"].returns
                                            if c.name != "storage_key"], False)
    url = (str, Field(description="a signed preview, valid 10 minutes"))
    preview = s.shapes.model("ApprovalPreview", s.catalog.functions["portal.approval_preview"].returns, False)
    return s.shapes.extend("ApprovalToDecide", preview, files=(list[s.shapes.extend("ProofFile", files, url=url)],
                                                               ...))


def approval(token: str, project_id=None) -> dict:
    storage = get_storage()
    with transaction(auth.identity(required=False)) as conn:
        found = conn.execute("select * from portal.approval_preview(%s)", [token]).fetchone()
        if found is None or (project_id is not None and found["project_id"] != project_id):
            raise Problem(404, "There is no approval for this link: ask for a new one.")
        files = conn.execute("select * from portal.approval_files(%s)", [token]).fetchall()
    for f in files:
        f["url"] = storage.download_url(f.pop("storage_key"), f["file_name"], f["content_type"])
    return {**found, "files": files}


def approval_preview(route, plan, identity, path, body, query):
    return approval(path["token"], path["project_id"])


def decision_model(s):
    return s.shapes.model("PortalDecision", s.catalog.functions["portal.decide_approval"].returns, False)


def decide(route, plan, identity, path, body, query):
    with transaction(auth.identity(required=False)) as conn:
        row = call(conn, "portal.decide_approval", plan, path, body)[0]
    if row["status"] == "expired":  # committed first: the link stays expired
        raise Problem(410, "This approval link has expired; ask for a new one.", code="PT410")
    return row


# Files: uploads straight to storage, then confirmed and scanned; downloads signed and logged.
def upload_model(s):
    return FileUpload


def file_model(s):
    return s.view_model("portal.files")


def listed_file_model(s):
    url = (str | None, Field(None, description="a signed download, valid 10 minutes (available files)"))
    return s.shapes.extend("PortalListedFile", s.view_model("portal.files"), download_url=url)


def create_upload(route, plan, identity, path, body, query):
    with transaction(identity) as conn:
        row = call(conn, "portal.create_upload", plan, path, body)[0]
    content_type = body.content_type or "application/octet-stream"
    return signed_upload(row["file_id"], row["storage_key"], content_type, body.size)


def complete_upload(route, plan, identity, path, body: CompleteIn, query):
    storage = get_storage()
    with transaction(identity) as conn:
        key = conn.execute("select portal.upload_key(%s) as storage_key", [body.file_id]).fetchone()["storage_key"]
    if key is None:
        raise Problem(404, f"No upload waiting with id {body.file_id}.", hint="Start the upload again.")
    stored = storage.stat(key)
    if stored is None:
        raise Problem(409, "Nothing has been uploaded for this file yet.", hint="Upload it, then complete it.")
    with transaction(identity) as conn:
        conn.execute("select portal.complete_upload(%s, %s, %s)", [body.file_id, stored.size, stored.sha256])
        return one(conn, FILES, body.file_id)


def signed_download(conn, storage, function: str, file_id, row: dict) -> str:
    """A signed URL for a file the contact may see, made in the transaction of the portal function that checks that
    and logs the download (`function`): no URL goes out without its access log row."""
    key = conn.execute(sql.SQL("select storage_key from {}(%s)").format(qualified(function)), [file_id]).fetchone()
    return storage.download_url(key["storage_key"], row["file_name"], row["content_type"])


def files_of_order(conn, storage, order_id) -> list[dict]:
    """An order's files as the contact sees them, each available one with its signed (and logged) download: what the
    order files route answers and the order page lists."""
    found = conn.execute("select * from portal.files where order_id = %s order by created_at, id",
                         [order_id]).fetchall()
    for f in found:
        if f["state"] == "available":
            f["download_url"] = signed_download(conn, storage, "portal.file_download", f["id"], f)
    return found


def order_files(route, plan, identity, path, body, query):
    with transaction(identity) as conn:
        found = files_of_order(conn, get_storage(), path["order_id"])
    return Page(found, len(found), 1, len(found))


def pay(route, plan, identity, path, body: PayIn, query):
    gateway = get_gateway()
    if gateway is None:
        raise Problem(503, "Online payment is not configured here: pay by the means on the invoice.")
    with transaction(identity) as conn:
        begun = conn.execute("select * from portal.begin_checkout(%s)", [body.invoice_id]).fetchone()
    config = current_app.config
    session = open_session(gateway, identity.tenant_id, body.invoice_id, begun,
                           # replace, not format: Stripe's own {CHECKOUT_SESSION_ID} may stand in the URL too
                           success_url=config["PORTAL_PAID_URL"].replace("{invoice_id}", str(body.invoice_id)),
                           cancel_url=config["PORTAL_CANCEL_URL"].replace("{invoice_id}", str(body.invoice_id)))
    with transaction(identity) as conn:
        conn.execute("select portal.record_checkout(%s, %s, %s, %s)",
                     [body.invoice_id, begun["attempt"], session.id, session.url])
    return {"invoice_id": body.invoice_id, "attempt": begun["attempt"], "url": session.url}


# Contract documents (seed 001), through the ownership rule, each with a logged signed download.
def contract_document_model(s):
    url = (str, Field(description="a signed download, valid 10 minutes"))
    rows = s.shapes.model("ContractDocument", s.catalog.functions["portal.contract_documents"].returns, False)
    return s.shapes.extend("PortalContractDocument", rows, download_url=url)


def contract_documents(route, plan, identity, path, body, query):
    storage = get_storage()
    with transaction(identity) as conn:
        found = conn.execute("select * from portal.contract_documents()").fetchall()
        for d in found:
            d["download_url"] = signed_download(conn, storage, "portal.contract_document_download", d["file_id"], d)
    return Page(found, len(found), 1, len(found))
