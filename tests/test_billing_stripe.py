"""Stripe against a local stand-in for its API, and webhooks signed by the stripe library's own helper: the
idempotency key is the database's, a replayed event takes effect once, a bad signature changes nothing."""

import threading
import time
import uuid

import pytest
import stripe
from billing_support import (
    WEBHOOK_SECRET,
    StripeStandIn,
    checkout_completed,
    make_client,
    make_invoice,
    sent_invoice,
    signed,
)
from delivery_support import ok

from service import create_app
from service.db import close_pool

HOOK = "/webhooks/stripe"


@pytest.fixture(scope="module")
def stand_in():
    with StripeStandIn() as s:
        yield s


def _stripe_app(test_config, api_base: str, retries: int = 1):
    return create_app(
        {
            **test_config,
            "STRIPE_API_KEY": "sk_test_pgpsa",
            "STRIPE_API_BASE": api_base,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_MAX_RETRIES": retries,
        }
    )


@pytest.fixture(scope="module")
def stripe_app(test_config, stand_in):
    app = _stripe_app(test_config, stand_in.url)
    yield app
    close_pool(app)


@pytest.fixture
def billing(make_tenant, login, stripe_app):
    t = make_tenant("manager", "finance")
    client = stripe_app.test_client()
    customer = make_client(client, login(t, "manager"))
    return t, client, login(t, "finance"), customer


def _checkouts(admin, invoice_id) -> list[tuple]:
    return admin.execute(
        "select attempt, idempotency_key, stripe_session_id, url from app.stripe_checkouts"
        " where invoice_id = %s order by attempt",
        [invoice_id],
    ).fetchall()


def _state(admin, tenant) -> tuple:
    """What a webhook may change, for one tenant: events stored, payments, applications, invoice statuses."""
    return admin.execute(
        "select (select count(*) from app.stripe_events where tenant_id = %(t)s),"
        " (select count(*) from app.payments where tenant_id = %(t)s),"
        " (select count(*) from app.payment_applications where tenant_id = %(t)s),"
        " (select array_agg(status order by id) from app.invoices where tenant_id = %(t)s)",
        {"t": tenant.id},
    ).fetchone()


def test_send_creates_a_checkout_under_the_databases_idempotency_key(billing, stand_in, admin):
    t, client, f, customer = billing
    before = len(stand_in.checkout_requests())
    inv = sent_invoice(client, f, customer["id"], 1000)
    [(attempt, key, session_id, url)] = _checkouts(admin, inv["id"])
    assert inv["status"] == "sent" and inv["checkoutUrl"] == url and url.endswith(session_id)
    [request] = stand_in.checkout_requests()[before:]
    assert request["headers"]["Idempotency-Key"] == key and key.endswith(f"-attempt-{attempt}")
    assert request["headers"]["Authorization"] == "Bearer sk_test_pgpsa"
    form = request["form"]
    assert form["metadata[tenant_id]"] == str(t.id) and form["metadata[invoice_id]"] == inv["id"]
    assert form["line_items[0][price_data][unit_amount]"] == "100000"
    assert form["line_items[0][price_data][currency]"] == "usd"
    assert form["customer_email"] == customer["email"] and form["mode"] == "payment"


def test_a_retried_request_repeats_the_key_and_a_failed_checkout_leaves_the_invoice_sent(
    billing, stand_in, admin, problem, test_config
):
    _, client, f, customer = billing
    # Stripe answers 500 once: the library retries the same attempt under the same key.
    stand_in.fail = [500]
    before = len(stand_in.checkout_requests())
    inv = sent_invoice(client, f, customer["id"], 300)
    first, retry = stand_in.checkout_requests()[before:]
    [(_, key, _, url)] = _checkouts(admin, inv["id"])
    assert first["headers"]["Idempotency-Key"] == retry["headers"]["Idempotency-Key"] == key
    assert inv["checkoutUrl"] == url
    # Stripe keeps failing: the send is committed first, so the invoice is sent and the answer is a 502.
    stand_in.fail = [500, 500]
    draft = ok(client.post("/api/v1/invoices", headers=f, json={
        "clientId": customer["id"], "items": [{"description": "Sign", "unitPrice": 80}]}), 201)
    failed = problem(client.post(f"/api/v1/invoices/{draft['id']}/send", headers=f), 502)
    assert "was sent" in failed["detail"] and "/checkout" in failed["hint"]
    got = ok(client.get(f"/api/v1/invoices/{draft['id']}", headers=f))
    assert got["status"] == "sent" and got["invoiceNumber"]
    assert _checkouts(admin, draft["id"])[0][2] is None  # attempt 1 has no session
    again = ok(client.post(f"/api/v1/invoices/{draft['id']}/checkout", headers=f))
    attempts = _checkouts(admin, draft["id"])
    assert again["url"] == attempts[-1][3] and stand_in.checkout_requests()[-1]["headers"]["Idempotency-Key"] == \
        attempts[-1][1]
    # Stripe unreachable: a 503, the invoice still sent.
    gone = _stripe_app(test_config, "http://127.0.0.1:9", retries=0)
    try:
        offline = gone.test_client()
        problem(offline.post(f"/api/v1/invoices/{draft['id']}/checkout", headers=f), 503)
        assert ok(offline.get(f"/api/v1/invoices/{draft['id']}", headers=f))["status"] == "sent"
    finally:
        close_pool(gone)


def test_one_signed_event_replayed_ten_times_takes_effect_once(billing, admin):
    t, client, f, customer = billing
    inv = sent_invoice(client, f, customer["id"], 1000)
    payload, headers = signed(checkout_completed(t.id, inv["id"], 100000))
    outcomes = []
    for _ in range(10):
        r = client.post(HOOK, data=payload, headers=headers)
        assert r.status_code == 200, r.get_data(as_text=True)
        assert r.get_json()["received"] is True
        outcomes.append(r.get_json()["outcome"])
    assert outcomes == ["applied"] + ["duplicate"] * 9
    got = ok(client.get(f"/api/v1/invoices/{inv['id']}", headers=f))
    assert (got["status"], got["balanceDue"], len(got["payments"])) == ("paid", "0.00", 1)
    assert _state(admin, t)[:3] == (1, 1, 1)
    payment = ok(client.get(f"/api/v1/payments/{got['payments'][0]['paymentId']}", headers=f))
    assert (payment["method"], payment["amount"], payment["currency"]) == ("stripe", "1000.00", "USD")
    # Another event for the paid invoice does not move it back; the money Stripe took is recorded, unapplied,
    # for a person to refund (a second payment, no second application).
    payload, headers = signed(checkout_completed(t.id, inv["id"], 100000))
    assert client.post(HOOK, data=payload, headers=headers).get_json()["outcome"] == "already_paid"
    assert ok(client.get(f"/api/v1/invoices/{inv['id']}", headers=f))["status"] == "paid"
    assert _state(admin, t)[1:3] == (2, 1)


def _tampered(payload, headers):
    return payload.replace('"amount_total": 100000', '"amount_total": 900000'), headers


def _wrong_secret(payload, headers):
    return payload, signed_header(payload, "whsec_someone_else")


def _old(payload, headers):
    return payload, signed_header(payload, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)


def _missing(payload, headers):
    return payload, {"Content-Type": "application/json"}


def signed_header(payload, secret, timestamp=None):
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
    return {"Stripe-Signature": header, "Content-Type": "application/json"}


@pytest.mark.parametrize("spoil", [_tampered, _wrong_secret, _old, _missing])
def test_a_bad_signature_is_a_400_and_changes_nothing(billing, admin, problem, spoil):
    t, client, f, customer = billing
    inv = sent_invoice(client, f, customer["id"], 1000)
    before = _state(admin, t)
    payload, headers = spoil(*signed(checkout_completed(t.id, inv["id"], 100000)))
    problem(client.post(HOOK, data=payload, headers=headers), 400)
    assert _state(admin, t) == before
    assert ok(client.get(f"/api/v1/invoices/{inv['id']}", headers=f))["status"] == "sent"


def test_events_that_are_not_a_paid_checkout_are_ignored(billing, admin, problem):
    t, client, f, customer = billing
    inv = sent_invoice(client, f, customer["id"], 1000)
    before = _state(admin, t)
    unpaid = checkout_completed(t.id, inv["id"], 100000)
    unpaid["data"]["object"]["payment_status"] = "unpaid"  # a bank debit still on its way
    foreign = {**checkout_completed(t.id, inv["id"], 100000), "type": "customer.created"}
    foreign["data"] = {"object": {"id": "cus_1", "object": "customer"}}
    for event in (unpaid, foreign):
        payload, headers = signed(event)
        assert client.post(HOOK, data=payload, headers=headers).get_json()["outcome"] == "ignored"
    after = _state(admin, t)
    assert after[1:] == before[1:]  # no payment, no application, the invoice still sent
    problem(client.post(HOOK, data="not json", headers=signed_header("not json", WEBHOOK_SECRET)), 400)
    # Signed and deeply nested: Stripe's library would parse it recursively (a RecursionError, a 500).
    deep = "[" * 50_000 + "]" * 50_000
    problem(client.post(HOOK, data=deep, headers=signed_header(deep, WEBHOOK_SECRET)), 400)
    # Signed, but naming no tenant of ours: acknowledged (so Stripe stops redelivering) and ignored.
    payload, headers = signed(checkout_completed(uuid.uuid4(), uuid.uuid4(), 100))
    assert client.post(HOOK, data=payload, headers=headers).get_json()["outcome"] == "ignored"


def test_concurrent_replays_take_effect_once(billing, admin, stripe_app):
    t, client, f, customer = billing
    inv = sent_invoice(client, f, customer["id"], 1000)
    payload, headers = signed(checkout_completed(t.id, inv["id"], 100000))
    start, answers = threading.Barrier(10), []

    def deliver():
        c = stripe_app.test_client()
        start.wait()
        r = c.post(HOOK, data=payload, headers=headers)
        answers.append((r.status_code, (r.get_json() or {}).get("outcome")))

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert answers.count((200, "applied")) == 1, answers
    # A delivery that raced the first one is refused (Stripe delivers it again later) or sees it stored.
    assert all(a in ((200, "duplicate"), (409, None)) for a in answers if a != (200, "applied")), answers
    assert _state(admin, t)[:3] == (1, 1, 1)


def test_with_stripe_off_checkout_and_webhooks_say_so(client, make_tenant, login, problem):
    t = make_tenant("manager", "finance")
    f = login(t, "finance")
    inv = sent_invoice(client, f, make_client(client, login(t, "manager"))["id"], 100)
    assert inv["checkoutUrl"] is None
    problem(client.post(f"/api/v1/invoices/{inv['id']}/checkout", headers=f), 503)
    payload, headers = signed(checkout_completed(t.id, inv["id"], 10000))
    problem(client.post(HOOK, data=payload, headers=headers), 503)
    assert ok(client.get(f"/api/v1/invoices/{inv['id']}", headers=f))["status"] == "sent"


def test_a_yen_invoice_is_charged_in_yen_not_hundredths(billing, stand_in, admin):
    t, client, f, customer = billing
    draft = make_invoice(client, f, customer["id"], ("Prints", 3, 1500), currency="JPY")
    before = len(stand_in.checkout_requests())
    inv = ok(client.post(f"/api/v1/invoices/{draft['id']}/send", headers=f))
    [request] = stand_in.checkout_requests()[before:]
    assert request["form"]["line_items[0][price_data][currency]"] == "jpy"
    assert request["form"]["line_items[0][price_data][unit_amount]"] == "4500"  # yen have no minor unit
    event = checkout_completed(t.id, inv["id"], 4500)
    event["data"]["object"]["currency"] = "jpy"
    payload, headers = signed(event)
    assert client.post(HOOK, data=payload, headers=headers).get_json()["outcome"] == "applied"
    got = ok(client.get(f"/api/v1/invoices/{inv['id']}", headers=f))
    assert (got["status"], got["balanceDue"]) == ("paid", "0.00")
    payment = ok(client.get(f"/api/v1/payments/{got['payments'][0]['paymentId']}", headers=f))
    assert (payment["amount"], payment["currency"]) == ("4500.00", "JPY")


def test_an_event_in_another_currency_than_the_invoice_is_not_applied(billing, admin):
    t, client, f, customer = billing
    inv = sent_invoice(client, f, customer["id"], 1000)
    event = checkout_completed(t.id, inv["id"], 100000)
    event["data"]["object"]["currency"] = "eur"
    payload, headers = signed(event)
    assert client.post(HOOK, data=payload, headers=headers).get_json()["outcome"] == "ignored"
    assert ok(client.get(f"/api/v1/invoices/{inv['id']}", headers=f))["status"] == "sent"
