"""The gaps issue G closed, as a user meets them: a stage that waits for the deposit, set in a template and seen on
the project; the tenant's deposit rule read and changed; a refused move answered 409 with where it may go; a task's
activity appended (a note, a comment, an upload); field-named errors in the database's words."""

import copy

import pytest
from delivery_support import TEMPLATE, make_project, ok, task_named


@pytest.fixture
def team(make_tenant, login):
    t = make_tenant("manager", "designer", "sales", "finance")
    return t, {role: login(t, role) for role in ("manager", "designer", "sales", "finance")}


def test_a_stage_that_waits_for_the_deposit_is_set_in_the_template_and_seen_on_the_project(client, team):
    _, h = team
    template = copy.deepcopy(TEMPLATE)
    template["stages"][1]["requiresDeposit"] = True
    made = ok(client.post("/api/v1/templates", headers=h["manager"], json=template), 201)
    assert [s["requiresDeposit"] for s in made["stages"]] == [False, True]
    project = ok(client.post("/api/v1/projects", headers=h["manager"],
                             json={"name": "P", "templateId": made["id"]}), 201)
    assert [s["requiresDeposit"] for s in project["stages"]] == [False, True]
    refused = client.post("/api/v1/templates", headers=h["manager"],
                          json={**template, "stages": [{**template["stages"][0], "requiresDeposit": "often"}]})
    assert refused.status_code == 422


def test_the_deposit_rule_is_read_and_set_by_who_may(client, team, problem):
    _, h = team
    assert ok(client.get("/api/v1/sales-settings", headers=h["manager"]))["depositPercent"] == 50
    changed = ok(client.patch("/api/v1/sales-settings", headers=h["manager"], json={"depositPercent": 30}))
    assert changed["depositPercent"] == 30 and changed["allowNegativeStock"] is False
    assert ok(client.get("/api/v1/sales-settings", headers=h["sales"]))["depositPercent"] == 30
    problem(client.patch("/api/v1/sales-settings", headers=h["sales"], json={"depositPercent": 10}), 403)
    too_much = problem(client.patch("/api/v1/sales-settings", headers=h["manager"], json={"depositPercent": 150}), 422)
    assert [e["pointer"] for e in too_much["errors"]] == ["/depositPercent"]
    problem(client.get("/api/v1/sales-settings", headers=h["designer"]), 404)  # not theirs to read
    assert ok(client.get("/api/v1/sales-settings", headers=h["manager"]))["depositPercent"] == 30


def test_a_refused_move_is_a_409_that_says_where_the_task_may_go(client, team, problem):
    _, h = team
    task = task_named(make_project(client, h["manager"]), "Design proof")
    refused = problem(client.patch(f"/api/v1/tasks/{task['id']}", headers=h["manager"], json={"status": "approved"}),
                      409)
    assert refused["code"] == "PT409" and refused["hint"].startswith("Allowed from todo: in_progress")


def test_a_tasks_activity_takes_a_note_a_comment_and_an_upload(client, team, make_tenant, login, problem):
    _, h = team
    project = make_project(client, h["manager"])
    task = task_named(project, "Design proof")
    url = f"/api/v1/tasks/{task['id']}/activity"
    note = ok(client.post(url, headers=h["manager"], json={"type": "note", "body": "Called the printer"}), 201)
    assert note["activity"]["action"] == "note" and note["activity"]["changes"] == {"body": "Called the printer"}
    assert note["comment"] is None and note["upload"] is None
    said = ok(client.post(url, headers=h["manager"], json={"type": "comment", "body": "Looks good",
                                                           "clientVisible": True}), 201)
    assert said["comment"]["body"] == "Looks good" and said["activity"]["action"] == "comment"
    upload = ok(client.post(url, headers=h["manager"], json={"type": "upload", "fileName": "proof.pdf",
                                                             "contentType": "application/pdf", "size": 100}), 201)
    assert upload["upload"]["uploadUrl"] and upload["activity"]["action"] == "upload_requested"
    files = ok(client.get(f"/api/v1/projects/{project['id']}/files", headers=h["manager"]))
    assert [(f["fileName"], f["taskId"]) for f in files] == [("proof.pdf", task["id"])]
    history = ok(client.get(url, headers=h["manager"]))
    assert [a["action"] for a in history][-3:] == ["note", "comment", "upload_requested"]
    # Refused: an unknown type, a field of another type, a task the caller cannot see, no tasks:write.
    bad = problem(client.post(url, headers=h["manager"], json={"type": "shout", "body": "x"}), 422)
    assert [e["pointer"] for e in bad["errors"]] == ["/type"]
    problem(client.post(url, headers=h["manager"], json={"type": "note", "body": "x", "size": 3}), 422)
    problem(client.post(url, headers=h["designer"], json={"type": "note", "body": "x"}), 404)  # not assigned
    other = make_tenant("manager")
    problem(client.post(url, headers=login(other, "manager"), json={"type": "note", "body": "x"}), 404)
    problem(client.post(url, headers=h["sales"], json={"type": "note", "body": "x"}), 403)
    assert len(ok(client.get(url, headers=h["manager"]))) == len(history)


def test_a_refusal_names_the_field_in_the_databases_words(client, team, problem):
    _, h = team
    long_name = problem(client.post("/api/v1/clients", headers=h["manager"],
                                    json={"accountCode": "A1", "name": "x" * 300, "channel": "retail"}), 422)
    assert [e["pointer"] for e in long_name["errors"]] == ["/name"] and long_name["code"] == "22001"
    nested = problem(client.post("/api/v1/clients", headers=h["manager"], json={
        "accountCode": "A1", "name": "N", "channel": "retail", "billingAddress": {"postalCode": "9" * 65}}), 422)
    assert [e["pointer"] for e in nested["errors"]] == ["/billingAddress/postalCode"]
    assert nested["detail"] == "A code is at most 64 characters."
    item = {"description": "x", "unitPrice": 1}
    customer = ok(client.post("/api/v1/clients", headers=h["manager"],
                              json={"accountCode": "A2", "name": "N", "channel": "retail"}), 201)
    lines = problem(client.post("/api/v1/invoices", headers=h["finance"], json={
        "clientId": customer["id"], "items": [item, {**item, "quantity": -1}]}), 422)
    assert [e["pointer"] for e in lines["errors"]] == ["/items/1/quantity"]
