"""The portal's pages (seed 003 §4.2, seed 000's board): server-rendered HTML with Jinja2, no build step. Every
page reads the portal views and functions as the contact's session (the database scopes them), in one transaction;
forms post back here with the session's CSRF token; every error a client can meet is a page that says what to do."""

import logging
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg
from flask import Blueprint, current_app, g, make_response, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from service.db import transaction
from service.errors import Problem, database_problem, problem_response
from service.portal import auth
from service.portal import handlers as h
from service.storage import get_storage

log = logging.getLogger(__name__)
bp = Blueprint("portal_pages", __name__, url_prefix="/portal", template_folder="../templates/portal",
               static_folder="../templates/portal/static", static_url_path="/static")
NEXT_COOKIE = "pgpsa_portal_next"  # the page a signed-out visitor asked for, opened after the magic link
# The paid page reloads itself every 2 seconds for about a minute, then says what happens next.
PAID_TRIES = 30


class PageProblem(Problem):
    """A problem with the way on: links (label, url) the error page offers."""

    def __init__(self, status: int, detail: str, actions: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(status, detail, **kwargs)
        self.actions = actions or []


# Errors: a page for every one a client can meet.
@bp.errorhandler(psycopg.Error)
def _database(e: psycopg.Error):
    return _problem(database_problem(e))


@bp.errorhandler(HTTPException)
def _http(e: HTTPException):
    return _problem(Problem(e.code or 500, e.description))


@bp.errorhandler(Exception)
def _unexpected(e: Exception):
    log.exception("portal page failed", exc_info=e)
    return _problem(Problem(500, "Something went wrong on our side. Try again in a minute; if it keeps happening, "
                                 "tell the studio."))


@bp.errorhandler(Problem)
def _problem(e: Problem):
    if e.status == 401 and request.method == "GET":
        # A page that needs a session: sign in, then come back here.
        response = redirect(url_for("portal_pages.sign_in"), 303)
        auth.clear_cookie(response)
        asked = request.full_path.rstrip("?")
        if len(asked) <= 2000:  # a cookie holds about 4 kB; a longer address is no portal page's, so none is kept
            response.set_cookie(NEXT_COOKIE, asked, max_age=1800, httponly=True,
                                secure=current_app.config["PORTAL_SECURE_COOKIE"], samesite="Lax", path="/portal")
        return response
    actions = getattr(e, "actions", None) or []
    found = _claims()
    response = make_response(render_template(
        "error.html", status=e.status, detail=e.detail, hint=e.hint, actions=actions, signed_in=found is not None,
        csrf=found["csrf"] if found else None, me=None), e.status)
    if e.status == 401 and found is None:  # a refused sign-in attempt leaves a good session signed in
        auth.clear_cookie(response)
    if e.headers.get("Retry-After"):
        response.headers["Retry-After"] = e.headers["Retry-After"]
    return response


def _claims(csrf: bool = False) -> dict | None:
    """The session's claims to show a page with, or None when there is none or it no longer holds (expired, forged).
    csrf=True: to act on a form, whose CSRF token must then be right (403)."""
    try:
        return auth.claims(required=False, csrf=csrf)
    except Problem as e:
        if e.status == 401:
            return None
        raise


def _page(template: str, status: int = 200, **context):
    found = _claims()
    context.setdefault("me", g.get("portal_me"))
    return render_template(template, csrf=found["csrf"] if found else None, signed_in=found is not None,
                           **context), status


@contextmanager
def _as_contact():
    """The page's one transaction as the contact's session (401, so the sign-in page, when it has ended)."""
    with transaction(auth.identity()) as conn:
        g.portal_me = conn.execute("select * from portal.me").fetchone()
        yield conn


def _one(conn, sql: str, *args) -> dict:
    found = conn.execute(sql, list(args)).fetchone()
    if found is None:
        raise Problem(404, "There is nothing here for you: it may belong to another account, or the link is not "
                           "complete.", hint="Open it from your list of orders.")
    return found


def _all(conn, sql: str, *args) -> list[dict]:
    return conn.execute(sql, list(args)).fetchall()


def _back(target: str | None, default: str) -> str:
    """A place in the portal to go back to (never another site)."""
    if target and target.startswith("/portal") and not target.startswith("//") and "\\" not in target:
        return target
    return default


# Signing in: a magic link by mail, or a share link and a code.
@bp.get("/sign-in")
def sign_in():
    return _page("sign_in.html")


@bp.post("/sign-in")
def sign_in_post():
    email = request.form.get("email", "").strip()
    if not email or "@" not in email or len(email) > 320:
        return _page("sign_in.html", 422, email=email[:320], error="Type the email address your account uses, "
                                                                   "such as name@example.com.")
    try:
        h.ask_magic_link(email)
    except Problem as e:
        raise PageProblem(e.status, e.detail, [("Back to sign-in", url_for("portal_pages.sign_in"))],
                          headers=e.headers) from e
    return _page("check_mail.html", email=email)


@bp.get("/auth/magic")
def magic():
    # A page, not the exchange: a mail scanner that opens the link does not spend it; the button does.
    token = request.args.get("token", "").strip()
    if not token:
        raise PageProblem(404, "This sign-in link is not complete.", [("Ask for a new link",
                                                                      url_for("portal_pages.sign_in"))],
                          hint="Open the link from the mail as it is, or ask for a new one.")
    return _page("magic.html", token=token)


@bp.post("/auth/magic")
def magic_post():
    try:
        row = h.session_from("select * from portal.exchange_magic_link(%s, %s)",
                             [request.form.get("token", "")[:200], request.remote_addr])
    except Problem as e:
        raise PageProblem(e.status, e.detail, [("Ask for a new link", url_for("portal_pages.sign_in"))],
                          headers=e.headers) from e
    response = _signed_in(row, _back(request.cookies.get(NEXT_COOKIE), url_for("portal_pages.dashboard")))
    response.delete_cookie(NEXT_COOKIE, path="/portal")
    return response


def _signed_in(row: dict, target: str):
    token, _, ttl = auth.issue(row)
    return auth.set_cookie(redirect(target, 303), token, ttl)


@bp.post("/sign-out")
def sign_out():
    _claims(csrf=True)  # a forged form (a live session, no CSRF token) signs nobody out: 403
    h.end_session(auth.identity())
    response = redirect(url_for("portal_pages.sign_in"), 303)
    auth.clear_cookie(response)
    return response


@bp.get("/<share_token>")
def share(share_token: str):
    return _page("share.html", share_token=share_token)


@bp.post("/<share_token>")
def share_post(share_token: str):
    email = request.form.get("email", "").strip()
    if not email or "@" not in email or len(email) > 320:
        return _page("share.html", 422, share_token=share_token, email=email[:320],
                     error="Type the email address the studio knows you by, such as name@example.com.")
    try:
        h.ask_code(share_token, email)
    except Problem as e:
        raise PageProblem(e.status, e.detail, [("Back", url_for("portal_pages.share", share_token=share_token))],
                          headers=e.headers) from e
    return _page("code.html", share_token=share_token, email=email)


@bp.post("/<share_token>/verify")
def share_verify(share_token: str):
    email, code = request.form.get("email", "").strip()[:320], request.form.get("code", "").strip()[:12]
    if not code.isdigit() or len(code) != 6:
        return _page("code.html", 422, share_token=share_token, email=email,
                     error="The code is the 6 digits in the mail we sent you.")
    try:
        row = h.session_from("select * from portal.verify_code(%s, %s, %s, %s)",
                             [share_token, email, code, request.remote_addr])
    except Problem as e:
        if e.detail == h._REFUSED["wrong"][1]:
            return _page("code.html", 401, share_token=share_token, email=email, error=e.detail)
        raise PageProblem(e.status, e.detail, [("Ask for a new code", url_for("portal_pages.share",
                                                                              share_token=share_token))],
                          headers=e.headers) from e
    return _signed_in(row, url_for("portal_pages.project", project_id=row["project_id"]))


# What a contact sees.
@bp.get("/")
def root():
    return redirect(url_for("portal_pages.dashboard"))


@bp.get("")
def dashboard():
    with _as_contact() as conn:
        orders = _all(conn, "select * from portal.orders order by created_at desc, id limit 50")
        invoices = _all(conn, "select * from portal.invoices where status in ('sent', 'partial')"
                              " order by due_date nulls last, issue_date, id")
    return _page("dashboard.html", orders=orders, invoices=invoices)


def _project_parts(conn, project_id) -> dict:
    if project_id is None:
        return {"stages": [], "tasks": [], "approvals": [], "comments": {}}
    comments: dict = {}
    for c in _all(conn, "select c.* from portal.comments as c join portal.tasks as t on t.id = c.task_id"
                        " where t.project_id = %s order by c.created_at, c.id", project_id):
        comments.setdefault(c["task_id"], []).append(c)
    return {
        "stages": _all(conn, "select * from portal.stages where project_id = %s order by sequence", project_id),
        "tasks": _all(conn, "select * from portal.tasks where project_id = %s order by sequence, id", project_id),
        "approvals": _all(conn, "select a.*, portal.approval_token(a.id) as token from portal.approvals as a"
                                " where a.project_id = %s order by a.created_at", project_id),
        "comments": comments,
    }


@bp.get("/view/orders/<uuid:order_id>")
def order(order_id):
    with _as_contact() as conn:
        found = _one(conn, "select * from portal.orders where id = %s", order_id)
        parts = _project_parts(conn, found["project_id"])
        timeline = _all(conn, "select * from portal.order_timeline where order_id = %s order by occurred_at, step",
                        order_id)
        invoices = _all(conn, "select * from portal.invoices where order_id = %s order by issue_date, id", order_id)
        files = h.files_of_order(conn, get_storage(), order_id)
    return _page("order.html", order=found, timeline=timeline, invoices=invoices, files=files, **parts)


@bp.get("/view/projects/<uuid:project_id>")
def project(project_id):
    with _as_contact() as conn:
        found = _one(conn, "select * from portal.projects where id = %s", project_id)
        parts = _project_parts(conn, project_id)
    return _page("project.html", project=found, **parts)


@bp.post("/view/tasks/<uuid:task_id>/comments")
def comment(task_id):
    back = _back(request.form.get("back"), url_for("portal_pages.dashboard"))
    body = request.form.get("body", "").strip()
    if not body:
        raise PageProblem(422, "Write your comment first, then send it.", [("Back", back)])
    try:
        with _as_contact() as conn:  # the database bounds a comment (app.note): too long is refused, never cut
            conn.execute("select portal.add_comment(%s, %s)", [task_id, body])
    except psycopg.Error as e:
        if e.sqlstate == "PT401":
            raise  # the session ended: the sign-in page, as for every page
        p = database_problem(e)
        raise PageProblem(p.status, p.detail, [("Back", back)], hint=p.hint) from e
    return redirect(back + "#task-" + str(task_id), 303)


# Approvals: by the link's token (the approver's mail), with or without a session.
def _by_token(work):
    """work(identity) as the contact's session when it holds, else as the token's holder alone."""
    found = _claims(csrf=True)
    if found is not None:
        try:
            return work(auth.identity())
        except psycopg.Error as e:
            if e.sqlstate != "PT401":
                raise
    return work(None)


def _approval(token: str):
    def read(identity):
        storage = get_storage()
        with transaction(identity) as conn:
            found = conn.execute("select * from portal.approval_preview(%s)", [token]).fetchone()
            if found is None:
                raise PageProblem(404, "There is no approval for this link.", hint="Open the latest mail the studio "
                                  "sent you, or ask them for a new link.")
            files = _all(conn, "select * from portal.approval_files(%s)", token)
            if identity is not None:
                g.portal_me = conn.execute("select * from portal.me").fetchone()
        for f in files:
            f["url"] = storage.download_url(f.pop("storage_key"), f["file_name"], f["content_type"])
        return {**found, "files": files}

    return _by_token(read)


@bp.get("/approvals/<token>")
def approval(token: str):
    found = _approval(token)
    expired = found["status"] == "pending" and found["expires_at"] <= datetime.now(UTC)
    return _page("approval.html", token=token, approval=found, expired=expired)


@bp.post("/approvals/<token>")
def decide(token: str):
    decision, comment_text = request.form.get("decision", ""), request.form.get("comment", "").strip() or None
    again = [("Back to the proof", url_for("portal_pages.approval", token=token))]
    if decision not in ("approved", "revision"):
        raise PageProblem(422, "Choose to approve, or to ask for a revision.", again)

    def run(identity):
        with transaction(identity) as conn:
            return conn.execute("select * from portal.decide_approval(%s, %s, %s)",
                                [token, decision, comment_text]).fetchone()

    try:
        row = _by_token(run)
    except psycopg.Error as e:
        p = database_problem(e)
        raise PageProblem(p.status, p.detail, again, hint=p.hint) from e
    if row["status"] == "expired":  # committed: the link stays expired
        raise PageProblem(410, "This approval link has expired.", hint="Ask the studio for a new one.")
    return _page("decided.html", decision=row)


# Files: a signed upload straight to storage from the browser (the JSON routes), then listed on the order.
@bp.get("/view/orders/<uuid:order_id>/upload")
def upload(order_id):
    with _as_contact() as conn:
        found = _one(conn, "select * from portal.orders where id = %s", order_id)
    return _page("upload.html", order=found)


# Paying: Checkout, then back to a page that waits for Stripe's word.
@bp.get("/invoices/<uuid:invoice_id>")
def invoice(invoice_id):
    with _as_contact() as conn:
        found = _one(conn, "select * from portal.invoices where id = %s", invoice_id)
    return _page("invoice.html", invoice=found, online=bool(current_app.config.get("STRIPE_API_KEY")))


@bp.post("/invoices/<uuid:invoice_id>")
def pay(invoice_id):
    identity = auth.identity()
    try:
        done = h.pay(None, None, identity, {}, h.PayIn.model_validate({"invoiceId": str(invoice_id)}), None)
    except psycopg.Error as e:
        p = database_problem(e)
        raise PageProblem(p.status, p.detail, [("Back to the invoice", url_for("portal_pages.invoice",
                                                                               invoice_id=invoice_id))],
                          hint=p.hint) from e
    except Problem as e:
        raise PageProblem(e.status, e.detail, [("Back to the invoice", url_for("portal_pages.invoice",
                                                                               invoice_id=invoice_id))],
                          hint=e.hint) from e
    return redirect(done["url"], 303)


@bp.get("/paid")
def paid():
    invoice_id = request.args.get("invoice", "")
    tries = request.args.get("try", "0")
    tries = int(tries) if tries.isascii() and tries.isdigit() and len(tries) <= 3 else 0  # '²' is a digit to Python
    with _as_contact() as conn:
        found = _one(conn, "select * from portal.invoices where id::text = %s", invoice_id)
    again = url_for("portal_pages.paid", invoice=invoice_id, **{"try": tries + 1})
    return _page("paid.html", invoice=found, again=again if tries < PAID_TRIES else None)


# Anything else under /portal (a mistyped link, an id that is not one): a page for a browser, a problem for a program.
@bp.app_errorhandler(404)
def _not_found(e):
    problem = Problem(404, "There is no such page in the portal.", hint="Check the link, or start from your orders.")
    prefers_html = request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"
    if request.path.startswith("/portal") and prefers_html:
        return _problem(problem)
    return problem_response(Problem(404, getattr(e, "description", None) or problem.detail))
