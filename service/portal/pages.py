"""The portal's pages (seed 003 §4.2, seed 000's board): server-rendered HTML with Jinja2, no build step. Every
page reads the portal views as the contact's session (the database scopes them); forms post back here with the
session's CSRF token; every error a client can meet is a page that says what to do."""

from urllib.parse import quote

import psycopg
from flask import Blueprint, redirect, render_template, request, url_for

from service.db import transaction
from service.errors import Problem, database_problem
from service.portal import auth
from service.portal import handlers as h

bp = Blueprint("portal_pages", __name__, url_prefix="/portal", template_folder="../templates/portal",
               static_folder="../templates/portal/static", static_url_path="/static")


@bp.errorhandler(psycopg.Error)
def _database(e: psycopg.Error):
    return _problem(database_problem(e))


@bp.errorhandler(Problem)
def _problem(e: Problem):
    if e.status == 401 and request.method == "GET":
        return redirect(url_for("portal_pages.sign_in", next=request.path))
    return render_template("error.html", status=e.status, detail=e.detail, hint=e.hint), e.status


def _page(template: str, **context):
    found = auth.claims(required=False)
    return render_template(template, csrf=found["csrf"] if found else None, signed_in=found is not None, **context)


def _read(sql: str, *args) -> list[dict]:
    with transaction(auth.identity()) as conn:
        return conn.execute(sql, list(args)).fetchall()


def _one(sql: str, *args) -> dict:
    found = _read(sql, *args)
    if not found:
        raise Problem(404, "There is nothing here for you: it may belong to another account.")
    return found[0]


@bp.get("/sign-in")
def sign_in():
    return _page("sign_in.html", next=request.args.get("next", ""))


@bp.post("/sign-in")
def sign_in_post():
    email = request.form.get("email", "").strip()
    if not email or len(email) > 320:
        raise Problem(422, "Type the email address your account uses.")
    h.ask_magic_link(email)
    return _page("check_mail.html", email=email, what="a sign-in link")


@bp.get("/auth/magic")
def magic():
    # A page, not the exchange: a mail scanner that opens the link does not spend it; the button does.
    return _page("magic.html", token=request.args.get("token", ""))


@bp.post("/auth/magic")
def magic_post():
    row = h.session_from("select * from portal.exchange_magic_link(%s, %s)",
                         [request.form.get("token", "")[:200], request.remote_addr])
    return _signed_in(row, url_for("portal_pages.dashboard"))


def _signed_in(row: dict, target: str):
    token, _, ttl = auth.issue(row)
    return auth.set_cookie(redirect(target, 303), token, ttl)


@bp.post("/sign-out")
def sign_out():
    auth.claims()  # a forged form (no CSRF token) signs nobody out
    response = redirect(url_for("portal_pages.sign_in"), 303)
    response.delete_cookie(auth.COOKIE, path="/portal")
    return response


@bp.get("/<share_token>")
def share(share_token: str):
    return _page("share.html", share_token=share_token)


@bp.post("/<share_token>")
def share_post(share_token: str):
    email = request.form.get("email", "").strip()[:320]
    h.ask_code(share_token, email)
    return _page("code.html", share_token=share_token, email=email)


@bp.post("/<share_token>/verify")
def share_verify(share_token: str):
    form = request.form
    row = h.session_from("select * from portal.verify_code(%s, %s, %s, %s)",
                         [share_token, form.get("email", "")[:320], form.get("code", "").strip()[:12],
                          request.remote_addr])
    return _signed_in(row, url_for("portal_pages.project", project_id=row["project_id"]))


@bp.get("")
def dashboard():
    me = _one("select * from portal.me")
    orders = _read("select * from portal.orders order by created_at desc, id limit 50")
    invoices = _read("select * from portal.invoices where status in ('sent', 'partial') order by due_date, id")
    return _page("dashboard.html", me=me, orders=orders, invoices=invoices)


@bp.get("/view/orders/<uuid:order_id>")
def order(order_id):
    found = _one("select * from portal.orders where id = %s", order_id)
    return _page("order.html", order=found, **_project_parts(found["project_id"]),
                 timeline=_read("select * from portal.order_timeline where order_id = %s order by occurred_at",
                                order_id),
                 invoices=_read("select * from portal.invoices where order_id = %s order by issue_date", order_id),
                 files=h.order_files(None, None, auth.identity(), {"order_id": order_id}, None, None).items)


def _project_parts(project_id) -> dict:
    if project_id is None:
        return {"stages": [], "tasks": [], "approvals": [], "comments": {}}
    comments: dict = {}
    for c in _read("select c.* from portal.comments as c join portal.tasks as t on t.id = c.task_id"
                   " where t.project_id = %s order by c.created_at", project_id):
        comments.setdefault(c["task_id"], []).append(c)
    return {
        "stages": _read("select * from portal.stages where project_id = %s order by sequence", project_id),
        "tasks": _read("select * from portal.tasks where project_id = %s order by sequence, id", project_id),
        "approvals": _read("select a.*, portal.approval_token(a.id) as token from portal.approvals as a"
                           " where a.project_id = %s order by a.created_at", project_id),
        "comments": comments,
    }


@bp.get("/view/projects/<uuid:project_id>")
def project(project_id):
    found = _one("select * from portal.projects where id = %s", project_id)
    return _page("project.html", project=found, **_project_parts(project_id))


@bp.post("/view/tasks/<uuid:task_id>/comments")
def comment(task_id):
    auth.claims()
    body = request.form.get("body", "").strip()
    if not body:
        raise Problem(422, "Write your comment first.")
    with transaction(auth.identity()) as conn:
        conn.execute("select portal.add_comment(%s, %s)", [task_id, body[:10000]])
    return redirect(request.form.get("back") or url_for("portal_pages.dashboard"), 303)


@bp.get("/approvals/<token>")
def approval(token: str):
    return _page("approval.html", token=token, approval=h.approval(token))


@bp.post("/approvals/<token>")
def decide(token: str):
    decision, comment_text = request.form.get("decision", ""), request.form.get("comment", "").strip() or None
    if decision not in ("approved", "revision"):
        raise Problem(422, "Choose to approve, or to ask for a revision.")
    with transaction(auth.identity(required=False)) as conn:
        row = conn.execute("select * from portal.decide_approval(%s, %s, %s)", [token, decision, comment_text]
                           ).fetchone()
    if row["status"] == "expired":
        raise Problem(410, "This approval link has expired.", hint="Ask the studio for a new one.")
    return _page("decided.html", decision=row)


@bp.get("/view/orders/<uuid:order_id>/upload")
def upload(order_id):
    found = _one("select * from portal.orders where id = %s", order_id)
    return _page("upload.html", order=found)


@bp.get("/invoices/<uuid:invoice_id>")
def invoice(invoice_id):
    found = _one("select * from portal.invoices where id = %s", invoice_id)
    return _page("invoice.html", invoice=found)


@bp.post("/invoices/<uuid:invoice_id>")
def pay(invoice_id):
    auth.claims()
    done = h.pay(None, None, auth.identity(), {}, h.PayIn.model_validate({"invoiceId": str(invoice_id)}), None)
    return redirect(done["url"], 303)


@bp.get("/paid")
def paid():
    invoice_id = request.args.get("invoice", "")
    found = _one("select * from portal.invoices where id::text = %s", invoice_id)
    return _page("paid.html", invoice=found, again=url_for("portal_pages.paid") + "?invoice=" + quote(invoice_id))
