"""The portal's JSON routes (seed 003 §4.1), declared like the team API's (service.api.routes) on the `portal`
views and functions, as a client contact's session: the database scopes every row to the contact's client (and a
share link's project) and checks the contact's capabilities (view, approve, upload, pay)."""

from functools import partial

from service.api.surface import Call, Custom, Embed, Filter, Get, List, Read
from service.portal import handlers as h

P = {"audience": "portal", "prefix": "/portal"}
ORDER = Read("portal.orders", "order", {
    "timeline": Embed("portal.order_timeline", "order_id", "occurred_at, step"),
    "open_approvals": Embed("portal.approvals", "project_id", "created_at", on="project_id",
                            where="status = 'pending'"),
    "invoices": Embed("portal.invoices", "order_id", "issue_date, invoice_number"),
})
PROJECT = Read("portal.projects", "project", {
    "stages": Embed("portal.stages", "project_id", "sequence"),
    "tasks": Embed("portal.tasks", "project_id", "sequence, id"),
    "approvals": Embed("portal.approvals", "project_id", "created_at"),
})
# ?status=open: what is still to pay (sent or partly paid); any other word: that status.
_STATUS = Filter("(case when %s = 'open' then status in ('sent', 'partial') else status = %s end)", kind="text")
_list, _get, _call, _custom = (partial(kind, **P) for kind in (List, Get, Call, Custom))

PORTAL_ROUTES = [
    # Two ways in: a magic link mailed, or a project's share link and a code mailed. Same answer for anyone.
    _custom("portal.magic_link", "POST", "/auth/magic-link", h.request_magic_link, None,
            "Mail a sign-in link to a contact's address (the answer is the same for any address)",
            auth=False, body=h.EmailIn, status=202, response=h.PortalMailAccepted),
    _custom("portal.exchange", "POST", "/auth/exchange", h.exchange, None,
            "Exchange a magic link's token for a portal session (once)", auth=False, body=h.TokenIn,
            response=h.Session, enveloped=False),
    _custom("portal.share_code", "POST", "/share/<share_token>/code", h.request_code, None,
            "Mail a 6-digit code to a contact of the shared project's client", auth=False, body=h.EmailIn,
            status=202, response=h.PortalMailAccepted),
    _custom("portal.share_verify", "POST", "/share/<share_token>/verify", h.verify_code, None,
            "Exchange the code for a portal session scoped to the shared project", auth=False, body=h.CodeIn,
            response=h.Session, enveloped=False),
    _custom("portal.logout", "POST", "/auth/logout", h.logout, None, "End this browser's portal session",
            status=204),
    _get("portal.me", "/me", Read("portal.me", "contact", single=True), None, "The signed-in contact"),

    # What a client sees.
    _list("portal.orders", "/orders", Read("portal.orders", "order"), None,
          "The client's orders with their stage progress", order="created_at desc, id"),
    _get("portal.order", "/orders/<uuid:order_id>", ORDER, None,
         "An order with its timeline, open approvals and invoices with balances"),
    _get("portal.project", "/projects/<uuid:project_id>", PROJECT, None,
         "A project's board: stages, client-visible tasks, approvals"),
    _list("portal.invoices", "/invoices", Read("portal.invoices", "invoice"), None,
          "The client's invoices (status=open: what is still to pay)", order="due_date nulls last, id",
          filters={"status": _STATUS}),
    _list("portal.payments", "/payments", Read("portal.payments", "payment"), None, "The client's payments",
          order="received_at desc, id"),
    _list("portal.contracts", "/contracts", Read("portal.contracts", "contract"), None,
          "The client's contracts with their live status", order="start_date desc, client_contract_id"),

    _custom("portal.contract_documents", "GET", "/contracts/documents", h.contract_documents, None,
            "The documents of the client's contracts, each with a signed download valid 10 minutes (logged)",
            response=h.contract_document_model, paged=True),

    # What a client does.
    _custom("portal.approval_preview", "GET", "/projects/<uuid:project_id>/approvals/<token>", h.approval_preview,
            None, "An approval to decide, by the token in its link, with signed previews of its proofs",
            auth=False, response=h.approval_model),
    _custom("portal.decide", "POST", "/approvals/<token>/decision", h.decide, None,
            "Approve, or ask for a revision (with a comment); recorded with the contact", auth=False,
            body="portal.decide_approval", response=h.decision_model),
    _call("portal.add_comment", "POST", "/tasks/<uuid:task_id>/comments", "portal.add_comment", None,
          "Comment on a client-visible task", read=Read("portal.comments", "comment"), status=201),
    _custom("portal.upload", "POST", "/orders/<uuid:order_id>/uploads/size-list", h.create_upload, None,
            "Start an upload for an order: a signed upload (10 minutes, at most 50 MB)",
            body="portal.create_upload", response=h.upload_model, status=201),
    _custom("portal.complete", "POST", "/files/complete", h.complete_upload, None,
            "Finish an upload: storage's real size and checksum are checked, then the file is scanned",
            body=h.CompleteIn, response=h.file_model),
    _custom("portal.files", "GET", "/orders/<uuid:order_id>/files", h.order_files, None,
            "An order's files, each with a signed download valid 10 minutes (logged)",
            response=h.listed_file_model, paged=True, read=Read("portal.files", "file")),
    _custom("portal.pay", "POST", "/payments", h.pay, None,
            "A Stripe Checkout page for an open invoice (the webhook marks it paid)", body=h.PayIn,
            response=h.Checkout, status=201),
]
