"""Seed 003 §8.1 scenario 4: a stage past its SLA is marked overdue and escalated once by the worker."""

from click.testing import CliRunner
from delivery_support import make_project, ok, stage_coded

from service.worker import worker


def test_worker_marks_a_late_stage_overdue_and_escalates_once(client, make_tenant, login, admin):
    t = make_tenant("manager")
    m = login(t, "manager")
    p = make_project(client, m)
    design = stage_coded(p, "design")
    ok(client.post(f"/api/v1/projects/{p['id']}/stages/{design['id']}/start", headers=m))
    # The SLA ran out: only the clock moved, so the admin connection moves it.
    admin.execute("update app.stages set due_at = now() - interval '1 hour' where id = %s", [design["id"]])

    def escalations() -> int:
        return admin.execute(
            "select count(*) from app.domain_events where tenant_id = %s and event_type = 'stage.overdue'"
            " and aggregate_id = %s",
            [t.id, design["id"]],
        ).fetchone()[0]

    first = CliRunner().invoke(worker, ["--once"])
    assert first.exit_code == 0, first.output
    assert "sla sweep:" in first.output
    stage = stage_coded(ok(client.get(f"/api/v1/projects/{p['id']}", headers=m)), "design")
    assert stage["status"] == "overdue" and stage["isOverdue"] and stage["escalatedAt"]
    assert escalations() == 1
    # As the worker role through the service's login, never as the superuser.
    who = admin.execute(
        "select db_login, db_role from audit.audit_log where tenant_id = %s and table_name = 'app.stages'"
        " and action = 'update' and new_values ->> 'status' = 'overdue'",
        [t.id],
    ).fetchall()
    assert who == [("pgpsa_service", "pgpsa_worker")]

    second = CliRunner().invoke(worker, ["--once"])
    assert second.exit_code == 0, second.output
    assert escalations() == 1
    again = stage_coded(ok(client.get(f"/api/v1/projects/{p['id']}", headers=m)), "design")
    assert again["escalatedAt"] == stage["escalatedAt"]


def test_a_stage_within_its_sla_is_left_alone(client, make_tenant, login):
    t = make_tenant("manager")
    m = login(t, "manager")
    p = make_project(client, m)
    design = stage_coded(p, "design")
    ok(client.post(f"/api/v1/projects/{p['id']}/stages/{design['id']}/start", headers=m))
    assert CliRunner().invoke(worker, ["--once"]).exit_code == 0
    stage = stage_coded(ok(client.get(f"/api/v1/projects/{p['id']}", headers=m)), "design")
    assert stage["status"] == "active" and not stage["isOverdue"] and stage["escalatedAt"] is None
