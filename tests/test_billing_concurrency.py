"""Money is right under concurrency: time logged while drafts are generated on the same task is either on the
invoice or refused, never logged-but-unbilled-and-frozen. Hours on invoices + unbilled hours = hours logged,
round after round (the finding: 20 concurrent 0.25 h entries + 2 concurrent drafts lost 1.5 to 6 h a round). The
totals the database keeps (migration 0025) count the same hours, and bill what the invoice bills once it is sent."""

import threading
from decimal import Decimal

from billing_support import make_client, make_invoice
from concurrency_support import second_waits_for_first
from delivery_support import make_project, move, ok, task_named

ROUNDS = 8
ENTRIES = 20
DRAFTS = 2


def _round(app, admin, headers, customer_id, template_id) -> tuple[Decimal, Decimal, Decimal]:
    """One project, one completed hourly task, then entries and drafts at once: (logged, invoiced, unbilled)."""
    setup = app.test_client()
    body = {"name": "Race", "templateId": template_id, "clientId": customer_id}
    project = ok(setup.post("/api/v1/projects", headers=headers, json=body), 201)
    task = task_named(project, "Design proof")
    move(setup, headers, task["id"], "in_progress", "completed")
    ok(setup.post(f"/api/v1/tasks/{task['id']}/time-entries", headers=headers, json={"hours": 1}), 201)
    start = threading.Barrier(ENTRIES + DRAFTS)
    logged, drafts, unexpected = [Decimal(1)], [], []

    def log_time():
        c = app.test_client()
        start.wait()
        r = c.post(f"/api/v1/tasks/{task['id']}/time-entries", headers=headers, json={"hours": 0.25})
        if r.status_code == 201:
            logged.append(Decimal("0.25"))
        elif r.status_code != 409:  # 409: the task is on an invoice now, so the entry is refused
            unexpected.append(r.get_data(as_text=True))

    def draft():
        c = app.test_client()
        start.wait()
        r = c.post(f"/api/v1/projects/{project['id']}/invoice-drafts", headers=headers, json={})
        if r.status_code == 201:
            drafts.append(r.get_json()["data"]["id"])
        elif r.status_code != 409:  # 409: nothing left to invoice (the other draft billed it)
            unexpected.append(r.get_data(as_text=True))

    threads = [threading.Thread(target=log_time) for _ in range(ENTRIES)]
    threads += [threading.Thread(target=draft) for _ in range(DRAFTS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not unexpected, unexpected
    assert len(drafts) == 1, "the task is billed once"
    invoice = ok(setup.get(f"/api/v1/invoices/{drafts[0]}", headers=headers))
    invoiced = sum(Decimal(str(line["quantity"])) for line in invoice["lines"])
    entries = ok(setup.get(f"/api/v1/tasks/{task['id']}/time-entries?page[size]=100", headers=headers))
    recorded = sum(Decimal(str(e["hours"])) for e in entries)
    unbilled = recorded - invoiced  # every entry of a billed task is on its invoice, or this is lost money
    assert recorded == sum(logged), "every accepted entry is recorded, and no refused one"
    ok(setup.post(f"/api/v1/invoices/{drafts[0]}/send", headers=headers), 200)
    kept = admin.execute(
        "select hours, uncontracted_hours, billed_amount from app.task_totals where task_id = %s", [task["id"]]
    ).fetchone()
    line = next(x for x in invoice["lines"] if x.get("taskId") == task["id"])
    assert kept == (recorded, recorded, Decimal(str(line["lineTotal"]))), "the task's totals, written at once"
    return sum(logged), invoiced, unbilled


def test_hours_on_invoices_plus_unbilled_hours_are_the_hours_logged(app, admin, make_tenant, login):
    t = make_tenant("manager")
    headers = login(t, "manager")
    customer = make_client(app.test_client(), headers)
    template_id = make_project(app.test_client(), headers)["templateId"]
    for _ in range(ROUNDS):
        logged, invoiced, unbilled = _round(app, admin, headers, customer["id"], template_id)
        assert unbilled == 0 and invoiced == logged, (logged, invoiced, unbilled)


def test_a_line_deleted_while_its_invoice_is_sent_is_never_gone_from_a_sent_invoice(
    client, make_tenant, login, admin, database_url
):
    """The line's transaction has not committed when the invoice is sent. Sending waits for it; then either the
    invoice goes out with the lines it has, or (its only line gone) it is refused and stays a draft."""
    t = make_tenant("manager")
    h = login(t, "manager")
    customer = make_client(client, h)
    draft = make_invoice(client, h, customer["id"], ("Printed banners", 10, 100))
    line_id = draft["lines"][0]["id"]
    sent = second_waits_for_first(database_url, t, ("select api.delete_invoice_line(%s)", [line_id]),
                                  ("select api.send_invoice(%s)", [draft["id"]]))
    status, lines = admin.execute(
        "select i.status, (select count(*) from app.invoice_lines as l where l.invoice_id = i.id) "
        "from app.invoices as i where i.id = %s", [draft["id"]]).fetchone()
    assert sent == "PT422" and (status, lines) == ("draft", 0), "no invoice is sent without lines"
