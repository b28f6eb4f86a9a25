"""Rules of the one door, seen over HTTP: what hangs off a task follows its visibility, billing fields need
billing:write, an unknown parent is a 404, and a request role cannot reach past the api (direct SQL)."""

import uuid

import psycopg
import pytest
from delivery_support import make_project, ok, task_named

from service import config


@pytest.fixture
def studio(client, make_tenant, login):
    t = make_tenant("manager", "designer")
    h = {role: login(t, role) for role in ("manager", "designer")}
    p = make_project(client, h["manager"])
    mine, other = task_named(p, "Design proof"), task_named(p, "Print banner")
    ok(client.patch(f"/api/v1/tasks/{mine['id']}", headers=h["manager"],
                    json={"assigneeIds": [t.users["designer"][0]]}))
    return t, h, mine, other


def test_a_designer_works_only_on_tasks_assigned_to_them(client, studio, problem, count):
    t, h, mine, other = studio
    d = h["designer"]
    ok(client.post(f"/api/v1/tasks/{mine['id']}/time-entries", headers=d, json={"hours": 1}), 201)
    ok(client.post(f"/api/v1/tasks/{mine['id']}/comments", headers=d, json={"body": "On it"}), 201)
    before = (count("time_entries", t), count("comments", t))
    for path, body in (("time-entries", {"hours": 1}), ("comments", {"body": "Hidden?"})):
        answer = problem(client.post(f"/api/v1/tasks/{other['id']}/{path}", headers=d, json=body), 404)
        assert answer["detail"] == f"No task with id {other['id']}."
    assert (count("time_entries", t), count("comments", t)) == before
    problem(client.get(f"/api/v1/tasks/{other['id']}", headers=d), 404)


def test_billing_fields_need_billing_write(client, studio, problem):
    _, h, mine, _ = studio
    body = problem(client.patch(f"/api/v1/tasks/{mine['id']}", headers=h["designer"], json={"hourlyRate": 9999}), 403)
    assert "billing:write" in body["detail"]
    assert ok(client.get(f"/api/v1/tasks/{mine['id']}", headers=h["manager"]))["hourlyRate"] == "80.00"
    patched = ok(client.patch(f"/api/v1/tasks/{mine['id']}", headers=h["manager"], json={"hourlyRate": 95}))
    assert patched["hourlyRate"] == "95.00"


def test_an_unknown_parent_is_a_404_not_a_constraint_name(client, studio, problem):
    _, h, _, _ = studio
    m, nowhere = h["manager"], str(uuid.uuid4())
    for path, body in (
        (f"/api/v1/tasks/{nowhere}/time-entries", {"hours": 1}),
        (f"/api/v1/tasks/{nowhere}/comments", {"body": "x"}),
        (f"/api/v1/projects/{nowhere}/files", {"fileName": "a.pdf", "contentType": "application/pdf", "size": 10}),
    ):
        answer = problem(client.post(path, headers=m, json=body), 404)
        assert nowhere in answer["detail"] and "fk_" not in answer["detail"], answer


def test_a_request_role_cannot_reach_past_the_api(studio):
    """As the service's own login, in the role a request runs as, with the tenant set: tables are out of reach."""
    t, _, mine, _ = studio
    with psycopg.connect(config.service_database_url()) as conn:
        conn.execute("set role pgpsa_staff")
        conn.execute("select set_config('pgpsa.tenant_id', %s, true)", [str(t.id)])
        for statement in (
            "select count(*) from app.tasks",
            "insert into audit.audit_log (tenant_id, action, table_name, row_key, payload_hash, db_role)"
            " values (gen_random_uuid(), 'insert', 'x', '{}', 'x', 'x')",
            "select internal.record_event('x.y', 'x', null)",
            "select * from api.login_lookup('demo', 'manager@demo.test')",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                with conn.transaction():
                    conn.execute(statement)
