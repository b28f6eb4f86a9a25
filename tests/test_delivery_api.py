"""Templates, projects, stages, tasks, time and comments through the team API, against the real database."""

import datetime as dt

import pytest
from delivery_support import TEMPLATE, make_project, move, ok, stage_coded, task_named

from service.admin import act_as_service, seed_demo


@pytest.fixture
def team(make_tenant, login):
    t = make_tenant("manager", "designer", "production")
    return t, {role: login(t, role) for role in ("manager", "designer", "production")}


def test_template_round_trip_with_nested_stages_and_tasks(client, team):
    _, h = team
    made = ok(client.post("/api/v1/templates", headers=h["manager"], json=TEMPLATE), 201)
    assert [s["stageCode"] for s in made["stages"]] == ["design", "production"]
    design = made["stages"][0]
    assert design["slaHours"] == 48 and [t["kind"] for t in design["tasks"]] == ["task", "approval"]
    assert design["tasks"][0]["hourlyRate"] == "80.00" and design["tasks"][0]["estimatedHours"] == 3.0
    assert ok(client.get(f"/api/v1/templates/{made['id']}", headers=h["manager"])) == made
    listing = client.get("/api/v1/templates?type=banner", headers=h["manager"]).get_json()
    assert listing["meta"]["total"] == 1 and listing["data"][0]["id"] == made["id"]


def test_project_from_template_clones_stages_tasks_and_due_dates(client, team):
    _, h = team
    start = dt.date.today() + dt.timedelta(days=3)
    p = make_project(client, h["manager"], startDate=start.isoformat(), budgetHours=10)
    assert p["projectCode"].startswith("PRJ-") and p["status"] == "planning" and p["health"] == "green"
    assert [s["status"] for s in p["stages"]] == ["pending", "pending"]
    assert task_named(p, "Design proof")["dueDate"] == (start + dt.timedelta(days=1)).isoformat()
    assert task_named(p, "Print banner")["stageId"] == stage_coded(p, "production")["id"]
    assert p["approvals"] == [] and p["actualHours"] == 0


def test_project_filters_and_patch(client, team, make_tenant, login):
    t, h = team
    p = make_project(client, h["manager"], dueDate=(dt.date.today() + dt.timedelta(days=20)).isoformat())
    m = h["manager"]
    patched = ok(
        client.patch(f"/api/v1/projects/{p['id']}", headers=m, json={"name": "Renamed", "status": "on_hold"})
    )
    assert patched["name"] == "Renamed" and patched["status"] == "on_hold"
    soon = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    for query, total in [
        ("status=on_hold", 1),
        ("status=active", 0),
        ("type=banner", 1),
        ("type=signage", 0),
        (f"dueBefore={soon}", 1),
        (f"dueBefore={dt.date.today().isoformat()}", 0),
        (f"customerId={p['id']}", 0),
    ]:
        assert client.get(f"/api/v1/projects?{query}", headers=m).get_json()["meta"]["total"] == total, query
    # Another tenant sees none of it.
    other = make_tenant("manager")
    assert client.get("/api/v1/projects", headers=login(other, "manager")).get_json()["data"] == []
    assert client.get(f"/api/v1/projects/{p['id']}", headers=login(other, "manager")).status_code == 404


def test_stage_start_and_complete_activates_the_next(client, team, problem):
    _, h = team
    m = h["manager"]
    p = make_project(client, m)
    design, production = stage_coded(p, "design"), stage_coded(p, "production")
    base = f"/api/v1/projects/{p['id']}/stages"
    started = ok(client.post(f"{base}/{design['id']}/start", headers=m))
    assert started["status"] == "active" and started["dueAt"] and started["startedAt"]
    # Open tasks keep the stage open: the database says which.
    body = problem(client.post(f"{base}/{design['id']}/complete", headers=m), 409)
    assert "Design proof" in body["detail"]
    for title in ("Design proof", "Proof approval"):
        move(client, m, task_named(p, title)["id"], "in_progress", "completed")
    assert ok(client.post(f"{base}/{design['id']}/complete", headers=m))["status"] == "completed"
    again = ok(client.get(f"/api/v1/projects/{p['id']}", headers=m))
    assert stage_coded(again, "production")["status"] == "active" and again["status"] == "active"
    assert stage_coded(again, "production")["dueAt"]
    problem(client.post(f"{base}/{production['id']}/start", headers=m), 409)


def test_tasks_create_filter_patch_and_activity(client, team):
    t, h = team
    m = h["manager"]
    p = make_project(client, m)
    designer_id = str(t.users["designer"][0])
    due = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    made = ok(
        client.post(
            "/api/v1/tasks",
            headers=m,
            json={
                "projectStageId": stage_coded(p, "design")["id"],
                "title": "Extra mock-up",
                "priority": "high",
                "dueDate": due,
                "assigneeIds": [designer_id],
            },
        ),
        201,
    )
    assert made["projectId"] == p["id"] and made["status"] == "todo" and made["assigneeIds"] == [designer_id]
    listing = client.get(f"/api/v1/tasks?assigneeId={designer_id}&projectId={p['id']}", headers=m).get_json()
    assert [x["id"] for x in listing["data"]] == [made["id"]]
    assert client.get("/api/v1/tasks?status=in_progress", headers=m).get_json()["meta"]["total"] == 0
    assert client.get(f"/api/v1/tasks?dueBefore={due}", headers=m).get_json()["meta"]["total"] == 1
    changed = ok(
        client.patch(
            f"/api/v1/tasks/{made['id']}", headers=m, json={"status": "in_progress", "title": "Mock"}
        )
    )
    assert changed["status"] == "in_progress" and changed["startedAt"] and changed["title"] == "Mock"
    activity = ok(client.get(f"/api/v1/tasks/{made['id']}/activity", headers=m))
    assert activity[0]["action"] == "created"
    assert any(a["fromStatus"] == "todo" and a["toStatus"] == "in_progress" for a in activity)


def test_a_designer_sees_and_changes_only_their_tasks(client, team, problem):
    t, h = team
    p = make_project(client, h["manager"])
    mine, other = task_named(p, "Design proof"), task_named(p, "Print banner")
    designer_id = str(t.users["designer"][0])
    ok(client.patch(f"/api/v1/tasks/{mine['id']}", headers=h["manager"], json={"assigneeIds": [designer_id]}))
    d = h["designer"]
    seen = client.get("/api/v1/tasks", headers=d).get_json()
    assert [x["id"] for x in seen["data"]] == [mine["id"]] and seen["meta"]["total"] == 1
    assert [x["id"] for x in ok(client.get(f"/api/v1/projects/{p['id']}", headers=d))["tasks"]] == [
        mine["id"]
    ]
    problem(client.get(f"/api/v1/tasks/{other['id']}", headers=d), 404)
    problem(client.patch(f"/api/v1/tasks/{other['id']}", headers=d, json={"status": "in_progress"}), 404)
    assert move(client, d, mine["id"], "in_progress")["status"] == "in_progress"


def test_time_entries_and_comments(client, team):
    _, h = team
    m = h["manager"]
    p = make_project(client, m)
    task_id = task_named(p, "Design proof")["id"]
    entry = ok(
        client.post(f"/api/v1/tasks/{task_id}/time-entries", headers=m, json={"hours": 1.5, "note": "x"}), 201
    )
    assert entry["hours"] == 1.5 and entry["workDate"] == dt.date.today().isoformat()
    changed = ok(client.patch(f"/api/v1/time-entries/{entry['id']}", headers=m, json={"hours": 2}))
    assert changed["hours"] == 2.0
    assert ok(client.get(f"/api/v1/tasks/{task_id}", headers=m))["actualHours"] == 2.0
    assert [e["id"] for e in ok(client.get(f"/api/v1/tasks/{task_id}/time-entries", headers=m))] == [
        entry["id"]
    ]
    ok(client.delete(f"/api/v1/time-entries/{entry['id']}", headers=m), 204)
    assert ok(client.get(f"/api/v1/tasks/{task_id}/time-entries", headers=m)) == []
    comment = ok(client.post(f"/api/v1/tasks/{task_id}/comments", headers=m, json={"body": "Bolder"}), 201)
    assert comment["clientVisible"] is False and comment["authorUserId"]
    assert [c["body"] for c in ok(client.get(f"/api/v1/tasks/{task_id}/comments", headers=m))] == ["Bolder"]


@pytest.mark.parametrize(
    ("task", "path", "body", "status", "words"),
    [
        ("Design proof", "time-entries", {"hours": 0.1}, 422, "0.25"),
        ("Print banner", "time-entries", {"hours": 1}, 422, "hourly"),
        ("Design proof", "", {"status": "approved"}, 409, "todo to approved"),
    ],
)
def test_bad_input_is_refused_with_the_databases_words_and_nothing_is_written(
    client, team, count, problem, admin, task, path, body, status, words
):
    t, h = team
    p = make_project(client, h["manager"])
    task_id = task_named(p, task)["id"]
    activity_before = count("task_activity_logs", t)
    url = f"/api/v1/tasks/{task_id}" + (f"/{path}" if path else "")
    send = client.post if path else client.patch
    answer = problem(send(url, headers=h["manager"], json=body), status)
    assert words in answer["detail"] and answer["code"] in (f"PT{status}", "23514")
    assert count("time_entries", t) == 0 and count("task_activity_logs", t) == activity_before
    assert admin.execute("select status from app.tasks where id = %s", [task_id]).fetchone()[0] == "todo"


def test_openapi_lists_the_delivery_api(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    paths = doc["paths"]
    for path, method in [
        ("/api/v1/templates", "post"),
        ("/api/v1/projects", "get"),
        ("/api/v1/projects/{projectId}/stages/{stageId}/complete", "post"),
        ("/api/v1/tasks/{taskId}/time-entries", "post"),
        ("/api/v1/time-entries/{entryId}", "delete"),
        ("/api/v1/tasks/{taskId}/activity", "get"),
        ("/api/v1/projects/{projectId}/files", "get"),
        ("/api/v1/files/{fileId}/confirm", "post"),
        ("/api/v1/stages/{stageId}/approvals", "post"),
        ("/api/v1/approvals/{token}/decision", "post"),
    ]:
        assert method in paths[path], (path, method)
    assert "security" not in paths["/api/v1/approvals/{token}/decision"]["post"]
    params = {p["name"] for p in paths["/api/v1/tasks"]["get"]["parameters"]}
    assert {"assigneeId", "status", "dueBefore", "projectId"} <= params
    assert "projectStageId" in doc["components"]["schemas"]["TaskCreate"]["properties"]


def test_demo_seed_shows_every_health_colour_and_is_idempotent(app, client, admin):
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(seed_demo)
        assert result.exit_code == 0, result.output
    tenant_id, manager = admin.execute(
        "select t.id, u.id from app.tenants as t join app.users as u on u.tenant_id = t.id"
        " where t.slug = 'demo' and u.email = 'manager@demo.test'"
    ).fetchone()
    # The api views answer for a user of a tenant: a DBA at psql acts as the service would for the demo manager.
    with admin.transaction():
        act_as_service(admin, "pgpsa_staff", tenant_id, manager)
        rows = admin.execute(
            "select h.health, p.status from api.project_health as h join api.projects as p on p.id = h.project_id"
            " where p.order_id is null",  # the sales demo adds an accepted order's project
        ).fetchall()
        admin.execute("reset session authorization")
    assert {health for health, _ in rows} == {"green", "yellow", "red"}
    assert {"planning", "active", "on_hold", "completed"} <= {status for _, status in rows}
    assert len(rows) == 6  # the second run made nothing new
    types = admin.execute(
        "select project_type from app.templates where tenant_id = %s", [tenant_id]
    ).fetchall()
    assert sorted(t for (t,) in types) == ["banner", "brand_identity", "signage"]
