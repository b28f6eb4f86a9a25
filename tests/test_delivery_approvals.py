"""Stage approvals through the API: seed 003 §8.1 scenario 2 (the revision loop), approval, expiry."""

import pytest
from delivery_support import make_project, move, ok, stage_coded, task_named


@pytest.fixture
def started(client, make_tenant, login):
    """A project whose design stage is active, its design task assigned to the designer and done."""
    t = make_tenant("manager", "designer")
    h = {role: login(t, role) for role in ("manager", "designer")}
    p = make_project(client, h["manager"])
    design = stage_coded(p, "design")
    ok(client.post(f"/api/v1/projects/{p['id']}/stages/{design['id']}/start", headers=h["manager"]))
    proof = task_named(p, "Design proof")
    designer_id = str(t.users["designer"][0])
    ok(
        client.patch(
            f"/api/v1/tasks/{proof['id']}", headers=h["manager"], json={"assigneeIds": [designer_id]}
        )
    )
    move(client, h["designer"], proof["id"], "in_progress", "in_review")
    return t, h, p


def request_approval(client, headers, stage_id) -> dict:
    body = {"approverEmail": "client@example.test", "expiresInHours": 48}
    return ok(client.post(f"/api/v1/stages/{stage_id}/approvals", headers=headers, json=body), 201)


def decide(client, token, decision, comment=None):
    return client.post(f"/api/v1/approvals/{token}/decision", json={"decision": decision, "comment": comment})


def events(admin, tenant, event_type):
    return admin.execute(
        "select aggregate_id, payload from app.domain_events where tenant_id = %s and event_type = %s",
        [tenant.id, event_type],
    ).fetchall()


def test_revision_loop_then_approval_completes_the_stage(client, started, admin, problem):
    t, h, p = started
    m = h["manager"]
    design = stage_coded(p, "design")
    approval = request_approval(client, m, design["id"])
    assert approval["status"] == "pending" and approval["token"] and approval["revisions"] == []
    assert approval["decisionUrl"].endswith(f"/api/v1/approvals/{approval['token']}/decision")
    assert len(events(admin, t, "approval.requested")) == 1

    # The client asks for changes (no sign-in: the token is the authority).
    answer = ok(decide(client, approval["token"], "revision", "Make the logo bigger"))
    assert answer["status"] == "revision_requested" and answer["stageStatus"] == "revision"
    seen = ok(client.get(f"/api/v1/approvals/{approval['id']}", headers=m))
    assert seen["status"] == "revision_requested" and seen["decisionComment"] == "Make the logo bigger"
    assert [(r["revisionNumber"], r["comment"]) for r in seen["revisions"]] == [(1, "Make the logo bigger")]
    project = ok(client.get(f"/api/v1/projects/{p['id']}", headers=m))
    assert stage_coded(project, "design")["status"] == "revision"
    assert task_named(project, "Design proof")["status"] == "in_progress"  # reopened
    assert project["approvals"][0]["status"] == "revision_requested"
    designer_id = str(t.users["designer"][0])
    reopened = events(admin, t, "task.revision_requested")
    assert [(str(a), e["assignee_id"]) for a, e in reopened] == [
        (task_named(p, "Design proof")["id"], designer_id)
    ]
    # The same link cannot decide twice.
    assert problem(decide(client, approval["token"], "approved"), 409)["code"] == "PT409"

    # Round two: the designer finishes, a new approval is asked and approved.
    move(client, h["designer"], task_named(p, "Design proof")["id"], "completed")
    second = request_approval(client, m, design["id"])
    answer = ok(decide(client, second["token"], "approved", "Perfect"))
    assert answer == {"approvalId": second["id"], "status": "approved", "stageStatus": "completed"}
    project = ok(client.get(f"/api/v1/projects/{p['id']}", headers=m))
    assert stage_coded(project, "design")["status"] == "completed"
    production = stage_coded(project, "production")
    assert production["status"] == "active" and production["dueAt"]
    assert task_named(project, "Proof approval")["status"] == "client_approved"


def test_an_expired_link_is_marked_expired_and_answers_410(client, started, admin, problem):
    _, h, p = started
    approval = request_approval(client, h["manager"], stage_coded(p, "design")["id"])
    admin.execute(
        "update app.approvals set expires_at = now() - interval '1 minute' where id = %s", [approval["id"]]
    )
    body = problem(decide(client, approval["token"], "approved"), 410)
    assert body["code"] == "PT410"
    # The expiry was committed even though the caller got an error.
    assert ok(client.get(f"/api/v1/approvals/{approval['id']}", headers=h["manager"]))["status"] == "expired"
    problem(decide(client, approval["token"], "approved"), 410)
    assert (
        stage_coded(ok(client.get(f"/api/v1/projects/{p['id']}", headers=h["manager"])), "design")["status"]
        == "active"
    )


def test_unknown_token_bad_decision_and_reminders(client, started, problem):
    _, h, p = started
    problem(decide(client, "no-such-token", "approved"), 404)
    approval = request_approval(client, h["manager"], stage_coded(p, "design")["id"])
    problem(client.post(f"/api/v1/approvals/{approval['token']}/decision", json={"decision": "maybe"}), 422)
    reminded = ok(client.post(f"/api/v1/approvals/{approval['id']}/remind", headers=h["manager"]))
    assert reminded["remindedAt"] and reminded["status"] == "pending"
    move(client, h["designer"], task_named(p, "Design proof")["id"], "completed")
    ok(decide(client, approval["token"], "approved"))
    problem(client.post(f"/api/v1/approvals/{approval['id']}/remind", headers=h["manager"]), 409)


def test_approval_needs_a_started_stage(client, started, problem):
    _, h, p = started
    production = stage_coded(p, "production")
    body = {"approverEmail": "client@example.test"}
    problem(client.post(f"/api/v1/stages/{production['id']}/approvals", headers=h["manager"], json=body), 409)
