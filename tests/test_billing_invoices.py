"""Invoices through the team API against the real database: totals, scenario 3, drafts from delivered work,
posting guards, voiding, bad input, who may see what, and the demo invoices."""

import pytest
from billing_support import make_client, make_invoice, make_payment, sent_invoice
from delivery_support import make_project, move, ok, stage_coded, task_named

from service.admin import seed_demo


@pytest.fixture
def team(make_tenant, login):
    t = make_tenant("manager", "finance", "designer")
    return t, {role: login(t, role) for role in ("manager", "finance", "designer")}


def _apply(client, headers, payment_id, invoice_id, amount):
    body = {"applications": [{"invoiceId": invoice_id, "amount": amount}]}
    return client.post(f"/api/v1/payments/{payment_id}/apply", headers=headers, json=body)


def test_the_database_computes_lines_and_totals_half_up_per_line(client, team):
    _, h = team
    c = make_client(client, h["manager"])
    inv = make_invoice(client, h["finance"], c["id"], ("Vinyl", 1.5, 9.99, 7), ("Setup", 1, 40))
    assert inv["status"] == "draft" and inv["invoiceNumber"] is None and inv["kind"] == "manual"
    vinyl, setup = inv["lines"]
    assert (vinyl["lineTotal"], vinyl["taxAmount"], vinyl["quantity"], vinyl["taxRate"]) == ("14.99", "1.05", 1.5, 7)
    assert (setup["lineTotal"], setup["taxAmount"], setup["sourceType"]) == ("40.00", "0.00", "manual")
    assert (inv["subtotal"], inv["taxTotal"], inv["total"], inv["balanceDue"]) == ("54.99", "1.05", "56.04", "56.04")
    assert inv["currency"] == "USD" and inv["payments"] == []


def test_scenario_3_payment_allocation_and_unapply(client, team):
    _, h = team
    f = h["finance"]
    c = make_client(client, h["manager"])
    inv = sent_invoice(client, f, c["id"], 1000)
    assert inv["total"] == "1000.00" and inv["status"] == "sent" and inv["invoiceNumber"].startswith("INV-")
    assert inv["checkoutUrl"] is None  # Stripe is off in this app
    pay = make_payment(client, f, c["id"], 500)
    assert pay["paymentNumber"].startswith("PAY-") and pay["unappliedAmount"] == "500.00"
    applied = ok(_apply(client, f, pay["id"], inv["id"], 500))
    assert applied["invoices"] == [
        {"invoiceId": inv["id"], "invoiceNumber": inv["invoiceNumber"], "balanceDue": "500.00", "status": "partial"}
    ]
    assert applied["payment"]["unappliedAmount"] == "0.00" and len(applied["payment"]["applications"]) == 1
    got = ok(client.get(f"/api/v1/invoices/{inv['id']}", headers=f))
    assert (got["balanceDue"], got["amountPaid"], got["status"]) == ("500.00", "500.00", "partial")
    assert [p["paymentId"] for p in got["payments"]] == [pay["id"]]
    assert ok(client.get(f"/api/v1/payments/{pay['id']}", headers=f))["appliedAmount"] == "500.00"
    ok(client.delete(f"/api/v1/payment-applications/{got['payments'][0]['id']}", headers=f), 204)
    got = ok(client.get(f"/api/v1/invoices/{inv['id']}", headers=f))
    assert (got["balanceDue"], got["status"], got["payments"]) == ("1000.00", "sent", [])


def test_draft_from_delivered_work_bills_each_task_once_and_freezes_its_time(client, team, problem):
    _, h = team
    m = h["manager"]
    c = make_client(client, m)
    p = make_project(client, m, clientId=c["id"])
    design = stage_coded(p, "design")["id"]
    extra = {"projectStageId": design, "billingType": "non_billable"}
    internal = ok(client.post("/api/v1/tasks", headers=m, json={"title": "Internal check", **extra}), 201)
    undone = {"projectStageId": design, "title": "Trim", "billingType": "fixed", "fixedAmount": 30}
    ok(client.post("/api/v1/tasks", headers=m, json=undone), 201)
    hourly = task_named(p, "Design proof")["id"]
    entries = [
        ok(client.post(f"/api/v1/tasks/{hourly}/time-entries", headers=m, json={"hours": hours}), 201)
        for hours in (2.5, 1)
    ]
    move(client, m, hourly, "in_progress", "completed")
    move(client, m, task_named(p, "Proof approval")["id"], "in_review", "approved")
    move(client, m, task_named(p, "Print banner")["id"], "in_progress", "completed")
    move(client, m, internal["id"], "in_progress", "completed")

    draft = ok(client.post(f"/api/v1/projects/{p['id']}/invoice-drafts", headers=m, json={"taxRate": 10}), 201)
    assert draft["status"] == "draft" and draft["kind"] == "progress" and draft["clientId"] == c["id"]
    lines = {(line["description"], line["quantity"], line["unitPrice"], line["lineTotal"]) for line in draft["lines"]}
    assert lines == {
        ("Design proof (3.50 h)", 3.5, "80.00", "280.00"),
        ("Proof approval", 1, "150.00", "150.00"),
        ("Print banner", 1, "220.00", "220.00"),
    }
    assert (draft["subtotal"], draft["taxTotal"], draft["total"]) == ("650.00", "65.00", "715.00")
    assert all(line["sourceType"] == "task" for line in draft["lines"])
    tasks = {t["title"]: t["invoiceId"] for t in ok(client.get(f"/api/v1/projects/{p['id']}", headers=m))["tasks"]}
    assert tasks == {
        "Design proof": draft["id"], "Proof approval": draft["id"], "Print banner": draft["id"],
        "Internal check": None, "Trim": None,
    }
    # Billed: the task's time is frozen, and a second draft finds nothing new.
    problem(client.post(f"/api/v1/tasks/{hourly}/time-entries", headers=m, json={"hours": 1}), 409)
    problem(client.patch(f"/api/v1/time-entries/{entries[0]['id']}", headers=m, json={"hours": 4}), 409)
    problem(client.delete(f"/api/v1/time-entries/{entries[0]['id']}", headers=m), 409)
    again = problem(client.post(f"/api/v1/projects/{p['id']}/invoice-drafts", headers=m, json={}), 409)
    assert "Nothing to invoice" in again["detail"]
    # Descriptions stay editable while it is a draft; amounts of task lines do not move.
    line = draft["lines"][0]
    patched = ok(client.patch(f"/api/v1/invoices/{draft['id']}", headers=m,
                              json={"lines": [{"id": line["id"], "description": "Design work"}], "notes": "May"}))
    assert patched["lines"][0]["description"] == "Design work" and patched["notes"] == "May"
    assert patched["total"] == "715.00"
    # Deleting the draft releases the tasks and their time.
    ok(client.delete(f"/api/v1/invoices/{draft['id']}", headers=m), 204)
    assert ok(client.get(f"/api/v1/tasks/{hourly}", headers=m))["invoiceId"] is None
    ok(client.post(f"/api/v1/tasks/{hourly}/time-entries", headers=m, json={"hours": 1}), 201)
    problem(client.get(f"/api/v1/invoices/{draft['id']}", headers=m), 404)


def test_a_posted_invoice_cannot_be_changed_or_deleted_and_voids_only_without_payments(client, team, problem, admin):
    _, h = team
    f = h["finance"]
    c = make_client(client, h["manager"])
    inv = sent_invoice(client, f, c["id"], 1000)
    url = f"/api/v1/invoices/{inv['id']}"
    for body in ({"notes": "later"}, {"dueDate": "2031-01-01"}, {"lines": [{"id": inv["lines"][0]["id"],
                                                                          "description": "x"}]}):
        problem(client.patch(url, headers=f, json=body), 409)
    problem(client.delete(url, headers=f), 409)
    problem(client.post(f"{url}/send", headers=f), 409)
    pay = make_payment(client, f, c["id"], 100)
    ok(_apply(client, f, pay["id"], inv["id"], 100))
    voided = problem(client.patch(url, headers=f, json={"status": "void", "voidReason": "wrong"}), 409)
    assert "payments" in voided["detail"]
    after = ok(client.get(url, headers=f))
    assert (after["status"], after["notes"], after["balanceDue"]) == ("partial", None, "900.00")
    # Without payments a sent invoice voids, and stays void.
    other = sent_invoice(client, f, c["id"], 200)
    v = ok(client.patch(f"/api/v1/invoices/{other['id']}", headers=f, json={"status": "void", "voidReason": "dup"}))
    assert (v["status"], v["voidReason"]) == ("void", "dup") and v["voidedAt"]
    problem(_apply(client, f, pay["id"], other["id"], 10), 409)
    count = admin.execute("select count(*) from app.invoices where id = any(%s)", [[inv["id"], other["id"]]])
    assert count.fetchone()[0] == 2


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/v1/invoices", {"clientId": "not-a-uuid", "items": []}, 422),
        ("/api/v1/invoices", {"items": []}, 422),  # no client
        ("/api/v1/invoices", {"clientId": "{client}", "kind": "gift"}, 422),
        ("/api/v1/invoices", {"clientId": "{client}", "items": [{"description": "x", "unitPrice": "NaN"}]}, 422),
        ("/api/v1/invoices", {"clientId": "{client}", "items": [{"description": "x", "unitPrice": -5}]}, 422),
        ("/api/v1/invoices", {"clientId": "{client}", "items": [{"description": " ", "unitPrice": 5}]}, 422),
        ("/api/v1/invoices", {"clientId": "{client}", "items": [{"description": "x", "unitPrice": 1e13}]}, 422),
        ("/api/v1/invoices", {"clientId": "{client}", "currency": "dollars"}, 422),
        ("/api/v1/invoices", {"clientId": "{client}", "issueDate": "2030-02-01", "dueDate": "2030-01-01"}, 422),
        ("/api/v1/invoices", {"clientId": "00000000-0000-0000-0000-000000000000"}, 409),  # unknown client
        ("/api/v1/invoices", {"client_id": "{client}"}, 422),  # snake_case is not the API
        ("/api/v1/payments", {"clientId": "{client}", "method": "barter", "amount": 5}, 422),
        ("/api/v1/payments", {"clientId": "{client}", "method": "cash", "amount": 0}, 422),
        ("/api/v1/payments", {"clientId": "{client}", "method": "cash", "amount": "Infinity"}, 422),
    ],
)
def test_bad_input_is_a_problem_and_writes_nothing(client, team, problem, count, path, body, status):
    t, h = team
    c = make_client(client, h["manager"])
    body = {k: (c["id"] if v == "{client}" else v) for k, v in body.items()}
    problem(client.post(path, headers=h["finance"], json=body), status)
    assert count("invoices", t) == 0 and count("invoice_lines", t) == 0 and count("payments", t) == 0


def test_patch_mixing_void_with_changes_is_refused(client, team, problem):
    _, h = team
    c = make_client(client, h["manager"])
    inv = make_invoice(client, h["finance"], c["id"], ("x", 1, 5))
    url = f"/api/v1/invoices/{inv['id']}"
    problem(client.patch(url, headers=h["finance"], json={"status": "void", "notes": "n"}), 422)
    problem(client.patch(url, headers=h["finance"], json={"voidReason": "n"}), 422)
    problem(client.patch(url, headers=h["finance"], json={"status": "void"}), 409)  # a draft is deleted instead
    problem(client.post(f"/api/v1/invoices/{make_invoice(client, h['finance'], c['id'])['id']}/send",
                        headers=h["finance"]), 422)  # no lines


def test_filters_paging_and_permissions(client, team, make_tenant, login, problem):
    _, h = team
    f = h["finance"]
    c1, c2 = make_client(client, h["manager"]), make_client(client, h["manager"])
    make_invoice(client, f, c1["id"], ("a", 1, 10))
    sent = sent_invoice(client, f, c2["id"], 100)
    for query, total in [("", 2), ("status=draft", 1), ("status=sent", 1), (f"customerId={c2['id']}", 1),
                         (f"customerId={c2['id']}&status=draft", 0), ("page[size]=1", 2)]:
        listing = client.get(f"/api/v1/invoices?{query}", headers=f).get_json()
        assert listing["meta"]["total"] == total, query
    assert len(client.get("/api/v1/invoices?page[size]=1", headers=f).get_json()["data"]) == 1
    problem(client.get("/api/v1/invoices?status=lost", headers=f), 422)
    pay = make_payment(client, f, c2["id"], 40)
    assert client.get(f"/api/v1/payments?customerId={c1['id']}", headers=f).get_json()["meta"]["total"] == 0
    assert ok(client.get("/api/v1/payments?status=received", headers=f))[0]["id"] == pay["id"]
    # A designer has no invoices:read: nothing to see, nothing to write.
    d = h["designer"]
    assert client.get("/api/v1/invoices", headers=d).get_json()["meta"]["total"] == 0
    problem(client.get(f"/api/v1/invoices/{sent['id']}", headers=d), 404)
    assert problem(client.post("/api/v1/invoices", headers=d, json={"clientId": c1["id"]}), 403)
    # Another tenant sees none of it.
    other = make_tenant("finance")
    assert client.get("/api/v1/invoices", headers=login(other, "finance")).get_json()["meta"]["total"] == 0


def test_openapi_lists_the_billing_api(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, method in [
        ("/api/v1/invoices", "get"), ("/api/v1/invoices", "post"), ("/api/v1/invoices/{invoiceId}", "patch"),
        ("/api/v1/invoices/{invoiceId}", "delete"), ("/api/v1/invoices/{invoiceId}/send", "post"),
        ("/api/v1/projects/{projectId}/invoice-drafts", "post"), ("/api/v1/payments/{paymentId}/apply", "post"),
        ("/api/v1/payment-applications/{applicationId}", "delete"), ("/webhooks/stripe", "post"),
    ]:
        assert method in paths[path], (path, method)
    assert "security" not in paths["/webhooks/stripe"]["post"]


def test_demo_seed_has_an_invoice_in_every_state_and_is_idempotent(app, admin):
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(seed_demo)
        assert result.exit_code == 0, result.output
    rows = admin.execute(
        "select i.status, count(*) from app.invoices as i join app.tenants as t on t.id = i.tenant_id"
        " where t.slug = 'demo' and i.order_id is null group by 1"  # the sales demo adds an order's deposit
    ).fetchall()
    assert dict(rows) == {"draft": 1, "sent": 1, "partial": 1, "paid": 1}
