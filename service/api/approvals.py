"""Stage approvals: request (a one-time token), read, remind, and the public decision by token."""

from uuid import UUID

from flask import Blueprint, url_for

from service.api.delivery_models import Approval, ApprovalCreate, ApprovalRequested, Decision, DecisionIn
from service.api.registry import operation
from service.api.rows import one, payload
from service.db import transaction
from service.errors import Problem

bp = Blueprint("approvals", __name__, url_prefix="/api/v1")


@operation(
    bp,
    "/stages/<uuid:stage_id>/approvals",
    "POST",
    "Ask for a stage's approval; the token is returned once",
    body=ApprovalCreate,
    response=ApprovalRequested,
    status=201,
)
def request_approval(identity, stage_id: UUID, body: ApprovalCreate):
    with transaction(identity) as conn:
        row = conn.execute("select * from api.request_approval(%s, %s)", [stage_id, payload(body)]).fetchone()
        approval = one(conn, "approvals", row["approval_id"], "approval")
    # Only the token's hash is stored: this answer is the one chance to read it.
    decision_url = url_for("approvals.decide", token=row["token"], _external=True)
    return {**approval, "token": row["token"], "decision_url": decision_url}


@operation(
    bp, "/approvals/<uuid:approval_id>", "GET", "Get an approval with its revisions", response=Approval
)
def get_approval(identity, approval_id: UUID):
    with transaction(identity) as conn:
        return one(conn, "approvals", approval_id, "approval")


@operation(
    bp,
    "/approvals/<uuid:approval_id>/remind",
    "POST",
    "Remind the approver of a pending approval",
    response=Approval,
)
def remind_approval(identity, approval_id: UUID):
    with transaction(identity) as conn:
        conn.execute("select api.remind_approval(%s)", [approval_id])
        return one(conn, "approvals", approval_id, "approval")


@operation(
    bp,
    "/approvals/<token>/decision",
    "POST",
    "The approver's decision, by the token in their link (no sign-in)",
    body=DecisionIn,
    response=Decision,
    auth=False,
)
def decide(token: str, body: DecisionIn):
    # No identity: the token alone finds the tenant, inside api.decide_approval.
    with transaction() as conn:
        row = conn.execute(
            "select * from api.decide_approval(%s, %s, %s)", [token, body.decision, body.comment]
        ).fetchone()
    # A token that has just run out is marked expired by the call above; that must be committed (it is,
    # the block has ended) before the caller hears 410, or the next attempt would find it pending again.
    if row["status"] == "expired":
        raise Problem(410, "This approval link has expired; ask for a new one.", code="PT410")
    return row
