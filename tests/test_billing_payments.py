"""Payments under concurrency: many applications racing for one invoice never apply more than its total, and what
the callers were told succeeded is exactly what the database recorded."""

import threading
from decimal import Decimal

import pytest
from billing_support import make_client, make_payment, sent_invoice
from delivery_support import ok

RACERS = 50
SHARE = Decimal("45.00")  # 50 x 45 = 2,250 asked of a 1,000 invoice: 22 fit, the rest must be refused


@pytest.fixture
def finance(make_tenant, login):
    t = make_tenant("manager", "finance")
    return t, login(t, "manager"), login(t, "finance")


def _race(app, headers, jobs: list[tuple[str, dict]]) -> list:
    """Runs each (url, body) as its own request (its own transaction) on its own thread, all released at once."""
    answers = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def run(i, url, body):
        client = app.test_client()
        start.wait()
        r = client.post(url, headers=headers, json=body)
        answers[i] = (r.status_code, r.get_json())

    threads = [threading.Thread(target=run, args=(i, *job)) for i, job in enumerate(jobs)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return answers


def test_concurrent_applications_never_exceed_the_invoice(app, client, finance, admin):
    _, m, f = finance
    c = make_client(client, m)
    inv = sent_invoice(client, f, c["id"], 1000)
    payments = [make_payment(client, f, c["id"], SHARE) for _ in range(RACERS)]
    jobs = [
        (f"/api/v1/payments/{p['id']}/apply", {"applications": [{"invoiceId": inv["id"], "amount": str(SHARE)}]})
        for p in payments
    ]
    answers = _race(app, f, jobs)
    statuses = [status for status, _ in answers]
    assert set(statuses) <= {200, 409}, answers
    refused = [body for status, body in answers if status == 409]
    assert all(b["code"] == "PT409" and "balance" in b["detail"] for b in refused), refused
    succeeded = statuses.count(200)
    assert succeeded == int(Decimal(1000) // SHARE)  # every application that fitted got in
    got = ok(client.get(f"/api/v1/invoices/{inv['id']}", headers=f))
    assert Decimal(got["amountPaid"]) == succeeded * SHARE <= Decimal(got["total"])
    assert got["status"] == "partial" and len(got["payments"]) == succeeded
    recorded = admin.execute(
        "select coalesce(sum(amount), 0), count(*) from app.payment_applications where invoice_id = %s", [inv["id"]]
    ).fetchone()
    assert recorded == (succeeded * SHARE, succeeded)


def test_concurrent_applications_of_one_payment_never_exceed_the_payment(app, client, finance):
    _, m, f = finance
    c = make_client(client, m)
    invoices = [sent_invoice(client, f, c["id"], 100) for _ in range(10)]
    pay = make_payment(client, f, c["id"], 350)
    jobs = [
        (f"/api/v1/payments/{pay['id']}/apply", {"applications": [{"invoiceId": i["id"], "amount": "100"}]})
        for i in invoices
    ]
    answers = _race(app, f, jobs)
    assert sorted(status for status, _ in answers) == [200] * 3 + [409] * 7, answers
    got = ok(client.get(f"/api/v1/payments/{pay['id']}", headers=f))
    assert (got["appliedAmount"], got["unappliedAmount"], len(got["applications"])) == ("300.00", "50.00", 3)


def test_an_application_over_the_balance_or_the_payment_is_refused_whole(client, finance, problem, count):
    t, m, f = finance
    c = make_client(client, m)
    a, b = sent_invoice(client, f, c["id"], 100), sent_invoice(client, f, c["id"], 100)
    pay = make_payment(client, f, c["id"], 150)
    url = f"/api/v1/payments/{pay['id']}/apply"
    both = {"applications": [{"invoiceId": a["id"], "amount": 100}, {"invoiceId": b["id"], "amount": 100}]}
    problem(client.post(url, headers=f, json=both), 409)
    problem(client.post(url, headers=f, json={"applications": [{"invoiceId": a["id"], "amount": 101}]}), 409)
    problem(client.post(url, headers=f, json={"applications": []}), 422)
    problem(client.post(url, headers=f, json={"applications": [{"invoiceId": a["id"], "amount": -1}]}), 422)
    assert count("payment_applications", t) == 0
    ok(client.post(url, headers=f, json={"applications": [{"invoiceId": a["id"], "amount": 100}]}))
    assert ok(client.get(f"/api/v1/invoices/{a['id']}", headers=f))["status"] == "paid"
