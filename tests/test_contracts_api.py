"""Contracts through the team API against the real database: templates instantiated for a client, ownership refused
in the database's words, assignment lifecycle and live status, renewal drafts, contract billing, bad input."""

import pytest
from contracts_support import act, assign, days, instantiate, make_client, make_template
from delivery_support import make_project, ok, task_named


@pytest.fixture
def team(make_tenant, login):
    t = make_tenant("manager", "finance", "designer")
    return t, {role: login(t, role) for role in ("manager", "finance", "designer")}


def _strip(lines: list[dict]) -> list[dict]:
    return [{k: v for k, v in line.items() if k != "id"} for line in lines]


def test_template_instantiates_a_contract_only_its_owner_can_be_assigned(client, team, problem, count):
    t, h = team
    m = h["manager"]
    green, btm = make_client(client, m, "The Green Thumb"), make_client(client, m, "BTM Machinery")
    template = make_template(client, m)
    assert [(x["name"], x["lineType"], x["amount"], x["hourlyRate"]) for x in template["lines"]] == [
        ("Monitoring", "fixed", "1500.00", None),
        ("Onsite support", "hourly", None, "125.00"),
    ]
    assert ok(client.get(f"/api/v1/contract-templates/{template['id']}", headers=m)) == template
    contract = instantiate(client, m, template["id"], green["id"])
    assert (contract["ownerClientId"], contract["isTemplate"], contract["templateId"]) == (green["id"], False, None)
    assert contract["name"] == "Managed IT Services" and contract["status"] == "draft"
    assert [(x["name"], x["amount"], x["hourlyRate"]) for x in contract["lines"]] == [
        ("Monitoring", "1500.00", "0.00"),
        ("Onsite support", "0.00", "125.00"),
    ]
    cc = ok(assign(client, m, contract["id"], green["id"], poNumber="PO-7"), 201)
    assert (cc["clientId"], cc["contractId"], cc["poNumber"]) == (green["id"], contract["id"], "PO-7")
    assert cc["status"] == "inactive"  # assigned, not yet activated

    refused = problem(assign(client, m, contract["id"], btm["id"]), 409)
    assert refused["code"] == "PT409"
    assert "belongs to The Green Thumb" in refused["detail"] and "BTM Machinery" in refused["detail"]
    assert count("client_contracts", t) == 1

    listed = ok(client.get(f"/api/v1/contracts?ownerClientId={green['id']}", headers=m))
    assert [c["id"] for c in listed] == [contract["id"]]
    assert ok(client.get(f"/api/v1/clients/{btm['id']}/contracts", headers=m)) == []


def test_a_contract_needs_an_owner_unless_it_is_a_template(client, team, problem, count):
    t, h = team
    m = h["manager"]
    body = {"name": "Ad hoc", "lines": [{"name": "Backup", "lineType": "fixed", "amount": 90}]}
    refused = problem(client.post("/api/v1/contracts", headers=m, json=body), 422)
    assert refused["code"] == "23514" and "belongs to one client" in refused["detail"]
    assert count("contracts", t) == 0 and count("contract_lines", t) == 0

    template = ok(client.post("/api/v1/contracts", headers=m, json={**body, "isTemplate": True}), 201)
    assert template["ownerClientId"] is None and template["isTemplate"] is True
    c = make_client(client, m, "Acme")
    problem(assign(client, m, template["id"], c["id"]), 409)  # a template is instantiated, never assigned

    owned = ok(client.post("/api/v1/contracts", headers=m, json={**body, "ownerClientId": c["id"]}), 201)
    assert owned["lines"][0]["services"] == [] and owned["ownerClientId"] == c["id"]
    assert ok(client.get(f"/api/v1/contracts/{owned['id']}", headers=m)) == owned
    assert [x["id"] for x in ok(client.get("/api/v1/contracts?isTemplate=true", headers=m))] == [template["id"]]


def test_assignment_lifecycle_and_renewal_draft(client, team, problem):
    _, h = team
    m = h["manager"]
    c = make_client(client, m, "The Benjamin Wolf Group")
    contract = instantiate(client, m, make_template(client, m)["id"], c["id"], name="Worry-Free Essentials")
    cc = ok(assign(client, m, contract["id"], c["id"]), 201)
    assert act(client, m, cc["id"], "activate")["status"] == "active"

    draft = act(client, m, cc["id"], "renewal-draft", 201)
    assert draft["ownerClientId"] == c["id"] and draft["id"] != contract["id"] and draft["status"] == "draft"
    assert _strip(draft["lines"]) == _strip(contract["lines"])
    got = ok(client.get(f"/api/v1/client-contracts/{cc['id']}", headers=m))
    assert (got["renewalState"], got["status"]) == ("pending_renewal", "pending_renewal")

    ended = act(client, m, cc["id"], "terminate", endDate=days(0))
    assert (ended["status"], ended["isActive"], ended["endDate"]) == ("terminated", False, days(0))
    assert ended["terminatedAt"] is not None
    problem(client.post(f"/api/v1/client-contracts/{cc['id']}/activate", headers=m), 409)
    problem(client.post(f"/api/v1/client-contracts/{cc['id']}/terminate", headers=m, json={}), 409)


def test_live_status_comes_from_the_assignment(client, team, problem):
    _, h = team
    m = h["manager"]
    c = make_client(client, m, "Cross Industries")
    template = make_template(client, m)["id"]
    windows = {
        "upcoming": {"startDate": days(5)},
        "expiring": {"startDate": days(-30), "endDate": days(20)},
        "expired": {"startDate": days(-60), "endDate": days(-1)},
        "active": {"startDate": days(-30), "endDate": days(90)},
    }
    for expected, window in windows.items():  # one contract each: a contract's windows never overlap
        contract = instantiate(client, m, template, c["id"])
        cc = ok(assign(client, m, contract["id"], c["id"], **window), 201)
        assert act(client, m, cc["id"], "activate")["status"] == expected
    overlap = problem(assign(client, m, contract["id"], c["id"], startDate=days(80)), 422)
    assert overlap["detail"] == "This client already has the contract assigned for part of those dates."
    rows = ok(client.get(f"/api/v1/clients/{c['id']}/contracts", headers=m))
    assert sorted(r["status"] for r in rows) == sorted(windows)
    expiring = client.get(f"/api/v1/clients/{c['id']}/contracts?status=expiring", headers=m).get_json()
    assert expiring["meta"]["total"] == 1 and expiring["data"][0]["endDate"] == days(20)

    # Unassigning removes an assignment that was never billed.
    gone = expiring["data"][0]["id"]
    assert client.delete(f"/api/v1/client-contracts/{gone}", headers=m).status_code == 204
    problem(client.get(f"/api/v1/client-contracts/{gone}", headers=m), 404)


def test_billing_a_period_makes_one_contract_invoice(client, team, problem, admin, count):
    t, h = team
    m = h["manager"]
    c = make_client(client, m, "The Green Thumb")
    contract = instantiate(client, m, make_template(client, m)["id"], c["id"])
    fixed, hourly = contract["lines"]
    cc = ok(assign(client, m, contract["id"], c["id"], startDate="2026-01-01"), 201)
    act(client, m, cc["id"], "activate")
    # Time is logged on an hourly task and counted against the contract's hourly line (no API sets that link).
    task = task_named(make_project(client, m, clientId=c["id"]), "Design proof")
    with admin.transaction():
        # The time guard reads the task as the owner, whom forced RLS binds to the tenant set here.
        admin.execute("select set_config('pgpsa.tenant_id', %s, true)", [str(t.id)])
        for work_date, hours in (("2026-01-12", 2), ("2026-01-20", 0.5), ("2026-02-03", 4)):
            admin.execute(
                "insert into app.time_entries (tenant_id, task_id, user_id, work_date, hours, contract_line_id)"
                " values (%s, %s, %s, %s, %s, %s)",
                [t.id, task["id"], t.users["manager"][0], work_date, hours, hourly["id"]],
            )

    period = {"periodStart": "2026-01-01", "periodEnd": "2026-01-31", "taxRate": 10}
    url = f"/api/v1/clients/{c['id']}/contract-invoices"
    inv = ok(client.post(url, headers=h["finance"], json=period), 201)
    assert (inv["kind"], inv["status"], inv["clientId"]) == ("contract", "draft", c["id"])
    assert [(x["contractLineId"], x["quantity"], x["unitPrice"], x["lineTotal"]) for x in inv["lines"]] == [
        (fixed["id"], 1, "1500.00", "1500.00"),
        (hourly["id"], 2.5, "125.00", "312.50"),
    ]
    assert (inv["subtotal"], inv["taxTotal"], inv["total"]) == ("1812.50", "181.25", "1993.75")

    again = problem(client.post(url, headers=h["finance"], json=period), 409)
    assert again["code"] == "PT409" and "Nothing to bill" in again["detail"]
    assert count("invoices", t) == 1 and count("contract_billings", t) == 1
    # A billed assignment is terminated, not unassigned.
    problem(client.delete(f"/api/v1/client-contracts/{cc['id']}", headers=m), 409)


@pytest.mark.parametrize(
    "path, body",
    [
        ("contract-templates", {"name": "T", "lines": [{"name": "L", "lineType": "weekly"}]}),
        ("contract-templates", {"name": "T", "lines": [{"name": "L", "lineType": "fixed", "amount": "NaN"}]}),
        ("contract-templates", {"name": "T", "lines": [{"name": "L", "lineType": "fixed", "amount": -5}]}),
        ("contract-templates", {"name": "T", "billingFrequency": "weekly"}),
        ("contract-templates", {"name": " "}),
        ("contracts", {"name": "C", "ownerClientId": "not-a-uuid"}),
        ("contracts", {"name": "C", "owner_client_id": None}),
    ],
)
def test_bad_contract_input_is_a_422_and_writes_nothing(client, team, problem, count, path, body):
    t, h = team
    problem(client.post(f"/api/v1/{path}", headers=h["manager"], json=body), 422)
    assert count("contract_templates", t) == 0 and count("contracts", t) == 0


def test_bad_assignment_and_billing_input(client, team, problem, count):
    t, h = team
    m = h["manager"]
    c = make_client(client, m, "Acme")
    contract = instantiate(client, m, make_template(client, m)["id"], c["id"])
    problem(assign(client, m, contract["id"], c["id"], startDate=days(0), endDate=days(-1)), 422)
    problem(assign(client, m, contract["id"], c["id"], startDate="yesterday"), 422)
    url = f"/api/v1/clients/{c['id']}/contract-invoices"
    problem(client.post(url, headers=m, json={"periodStart": "2026-02-01", "periodEnd": "2026-01-01"}), 422)
    problem(client.post(url, headers=m, json={"periodStart": "2026-02-01"}), 422)
    problem(client.post(url, headers=m, data="{}", content_type="text/plain"), 415)
    problem(client.post(url, headers=m, json={"periodStart": "2026-01-01", "periodEnd": "2026-01-31"}), 409)
    assert count("client_contracts", t) == 0 and count("invoices", t) == 0
    unknown = "00000000-0000-0000-0000-000000000000"
    period = {"periodStart": "2026-01-01", "periodEnd": "2026-01-31"}
    problem(client.post(f"/api/v1/clients/{unknown}/contract-invoices", headers=m, json=period), 404)
    problem(client.post(f"/api/v1/client-contracts/{unknown}/activate", headers=m), 404)
    problem(assign(client, m, unknown, c["id"]), 404)
    problem(client.get(f"/api/v1/contract-templates/{unknown}", headers=m), 404)
    instantiate_unknown = f"/api/v1/contract-templates/{unknown}/instantiate"
    problem(client.post(instantiate_unknown, headers=m, json={"clientId": c["id"]}), 404)


def test_the_database_decides_who_may_change_contracts(client, team, problem, count):
    t, h = team
    c = make_client(client, h["manager"], "Acme")
    problem(client.post("/api/v1/contract-templates", headers=h["designer"], json={"name": "T"}), 403)
    body = {"name": "C", "ownerClientId": c["id"]}
    problem(client.post("/api/v1/contracts", headers=h["designer"], json=body), 403)
    assert count("contract_templates", t) == 0 and count("contracts", t) == 0
    make_template(client, h["manager"])
    assert ok(client.get("/api/v1/contract-templates", headers=h["designer"])) == []  # RLS: not theirs to see


def test_a_contract_header_is_edited_published_and_archived(client, team, problem):
    _, h = team
    m = h["manager"]
    c = make_client(client, m, "Cross Industries")
    contract = instantiate(client, m, make_template(client, m)["id"], c["id"])
    url = f"/api/v1/contracts/{contract['id']}"

    edited = ok(client.patch(url, headers=m, json={"name": "Managed IT Plus", "billingFrequency": "quarterly"}))
    assert (edited["name"], edited["billingFrequency"], edited["status"]) == ("Managed IT Plus", "quarterly", "draft")
    assert edited["lines"] == contract["lines"]  # the header changes, its lines stay
    assert ok(client.patch(url, headers=m, json={"status": "published"}))["status"] == "published"
    back = problem(client.patch(url, headers=m, json={"status": "draft"}), 409)
    assert back["detail"] == "Contract Managed IT Plus cannot go from published to draft."
    problem(client.patch(url, headers=m, json={"status": "finished"}), 422)
    problem(client.patch(url, headers=m, json={"name": " "}), 422)
    problem(client.patch(url, headers=h["designer"], json={"name": "Mine"}), 403)
    problem(client.patch("/api/v1/contracts/00000000-0000-0000-0000-000000000000", headers=m, json={}), 404)

    assert ok(client.patch(url, headers=m, json={"status": "archived"}))["status"] == "archived"
    refused = problem(assign(client, m, contract["id"], c["id"]), 409)
    assert refused["detail"] == "Contract Managed IT Plus is archived; it cannot be assigned again."
    assert ok(client.get(url, headers=m))["name"] == "Managed IT Plus"  # refusals changed nothing
