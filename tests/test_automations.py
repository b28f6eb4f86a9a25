"""Automations as they happen: each notification of seed 003 §5.2 and §3 delivered by a real worker (`pgpsa worker
--once`, a subprocess) through the real sendgrid library to a local stand-in, with the right recipient and content;
retries that send one mail; an escalation only after 24 hours (time moved in the database, not slept)."""

import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
from billing_support import make_client, make_payment, sent_invoice
from delivery_support import make_project, move, ok, stage_coded, task_named
from mail_standin import SendGridStandIn
from sales_support import sales_setup, sent_quote

BASE_URL = "http://portal.test"


@pytest.fixture(scope="module")
def standin():
    with SendGridStandIn() as s:
        yield s


@pytest.fixture
def worker(standin, database_url):
    """`pgpsa worker --once` for one tenant's schedules (every queued job is run), SendGrid on, Stripe on."""

    def run(tenant, *args: str, **env: str):
        environment = {
            **os.environ, "DATABASE_URL": database_url, "SENDGRID_API_KEY": "SG.test", "SENDGRID_HOST": standin.url,
            "BASE_URL": BASE_URL, "STRIPE_API_KEY": "sk_test_standin", "PGPSA_JOB_RETRY_WAIT": "0", **env,
        }
        done = subprocess.run([sys.executable, "-m", "service.cli", "worker", "--once", "--tenant", tenant.slug, *args],
                              env=environment, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    return run


@pytest.fixture
def shop(make_tenant, login, client):
    t = make_tenant("manager", "designer", "finance", "sales")
    h = {role: login(t, role) for role in ("manager", "designer", "finance", "sales")}
    return t, h


def _in(hours: int) -> str:
    """A --now for the schedules that many hours from now (the hourly SLA sweep runs once an hour)."""
    return (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M%z")


def _design_started(client, t, h) -> tuple[dict, dict, dict]:
    """A project whose design stage has started, its "Design proof" task assigned to the designer."""
    project = make_project(client, h["manager"])
    design, task = stage_coded(project, "design"), task_named(project, "Design proof")
    assign = {"assigneeIds": [str(t.users["designer"][0])]}
    ok(client.patch(f"/api/v1/tasks/{task['id']}", headers=h["manager"], json=assign))
    ok(client.post(f"/api/v1/projects/{project['id']}/stages/{design['id']}/start", headers=h["manager"]))
    return project, design, task


def _mails(standin, email: str, subject: str = "") -> list[dict]:
    return [m for m in standin.to(email) if subject in m["subject"]]


def test_a_quote_accepted_mails_its_deposit_invoice_to_the_clients_billing_contact(client, shop, standin, worker):
    t, h = shop
    customer = sales_setup(client, h["manager"])
    ok(client.post(f"/api/v1/clients/{customer['id']}/contacts", headers=h["manager"],
                   json={"name": "Bea Buyer", "email": f"bea@{t.slug}.test", "isPrimary": True}), 201)
    accepted = ok(client.post(f"/api/v1/quotes/{sent_quote(client, h['manager'], customer['id'])['id']}/accept",
                              headers=h["manager"]))
    worker(t)
    [mail] = _mails(standin, f"bea@{t.slug}.test", "Deposit invoice")
    assert accepted["order"]["orderNumber"] in mail["subject"] and "486.00 USD" in mail["text"]
    assert mail["from"]["name"] == f"Tenant {t.slug}"
    assert re.search(rf"{BASE_URL}/portal/invoices/[0-9a-f-]{{36}}", mail["text"])  # Stripe is on: the pay link
    assert not _mails(standin, f"bea@{t.slug}.test", "Invoice ")  # the deposit invoice is not mailed twice
    worker(t)  # a second run finds nothing new to send
    assert len(standin.to(f"bea@{t.slug}.test")) == 1


def test_a_stage_tells_its_people_when_it_starts_and_when_it_is_late_and_the_managers_a_day_later(
    client, shop, standin, worker, admin
):
    t, h = shop
    project, design, task = _design_started(client, t, h)
    worker(t)
    [started] = _mails(standin, t.email("designer"), "has started")
    assert project["projectCode"] in started["subject"] and "Design proof" in started["text"]
    # Late: the SLA sweep (hourly) marks it overdue and its people hear at once.
    admin.execute("update app.stages set due_at = now() - interval '1 hour' where id = %s", [design["id"]])
    worker(t, "--now", _in(1))
    assert len(_mails(standin, t.email("designer"), "is overdue")) == 1
    assert not _mails(standin, t.email("manager"), "Escalation")  # not yet: 24 hours have not passed
    # A day later, still overdue: the managers are told, once.
    admin.execute("update app.stages set escalated_at = escalated_at - interval '25 hours' where id = %s",
                  [design["id"]])
    admin.execute("update queue.procrastinate_jobs set scheduled_at = now() where task_name = 'escalate_stage'"
                  " and args ->> 'stage_id' = %s and status = 'todo'", [design["id"]])
    worker(t)
    worker(t)
    [escalation] = _mails(standin, t.email("manager"), "Escalation")
    assert "overdue for 24 hours" in escalation["subject"] and project["projectCode"] in escalation["subject"]


def test_a_completed_stage_is_not_escalated(client, shop, standin, worker, admin):
    t, h = shop
    project = make_project(client, h["manager"])
    design = stage_coded(project, "design")
    ok(client.post(f"/api/v1/projects/{project['id']}/stages/{design['id']}/start", headers=h["manager"]))
    admin.execute("update app.stages set due_at = now() - interval '1 hour' where id = %s", [design["id"]])
    worker(t, "--now", _in(1))
    for title in ("Design proof", "Proof approval"):
        move(client, h["manager"], task_named(project, title)["id"], "in_progress", "completed")
    ok(client.post(f"/api/v1/projects/{project['id']}/stages/{design['id']}/complete", headers=h["manager"]))
    admin.execute("update app.stages set escalated_at = now() - interval '25 hours' where id = %s", [design["id"]])
    admin.execute("update queue.procrastinate_jobs set scheduled_at = now() where task_name = 'escalate_stage'"
                  " and args ->> 'stage_id' = %s", [design["id"]])
    worker(t)
    assert not _mails(standin, t.email("manager"), "Escalation")


def test_an_approval_mails_the_approver_its_link_and_a_revision_tells_the_designer_and_the_client(
    client, shop, standin, worker
):
    t, h = shop
    project, design, task = _design_started(client, t, h)
    move(client, h["manager"], task["id"], "in_progress", "in_review")
    approver = f"approver@{t.slug}.test"
    asked = ok(client.post(f"/api/v1/stages/{design['id']}/approvals", headers=h["manager"],
                           json={"approverEmail": approver}), 201)
    worker(t)
    [request] = _mails(standin, approver, "approval is needed")
    assert f"{BASE_URL}/portal/approvals/{asked['token']}" in request["text"]
    assert f'href="{BASE_URL}/portal/approvals/{asked["token"]}"' in request["html"]
    ok(client.post(f"/api/v1/approvals/{asked['id']}/remind", headers=h["manager"]))
    worker(t)
    [reminder] = _mails(standin, approver, "Reminder")
    assert asked["token"] in reminder["text"]
    decided = client.post(f"/api/v1/approvals/{asked['token']}/decision",
                          json={"decision": "revision", "comment": "Bigger logo <please>"})
    assert decided.status_code == 200
    worker(t)
    [to_designer] = _mails(standin, t.email("designer"), "Revision 1")
    assert "Bigger logo <please>" in to_designer["text"] and "Bigger logo &lt;please&gt;" in to_designer["html"]
    [to_client] = _mails(standin, approver, "revision request")
    assert "Bigger logo <please>" in to_client["text"]


def test_an_invoice_sent_a_payment_posted_and_stock_running_low_are_mailed(client, shop, standin, worker):
    t, h = shop
    customer = make_client(client, h["manager"], email=f"ap@{t.slug}.test")
    invoice = sent_invoice(client, h["finance"], customer["id"], 250)
    make_payment(client, h["finance"], customer["id"], 100)
    ok(client.patch("/api/v1/sales-settings", headers=h["manager"], json={"purchasingEmail": f"buy@{t.slug}.test"}))
    product = ok(client.post("/api/v1/products", headers=h["manager"], json={"sku": "INK-1", "name": "Cyan ink"}), 201)
    shelf = ok(client.post("/api/v1/inventory/locations", headers=h["manager"], json={"name": "Shelf"}), 201)
    movement = {"productId": product["id"], "locationId": shelf["id"], "movementType": "receive", "quantity": 10}
    ok(client.post("/api/v1/inventory/movements", headers=h["manager"], json=movement), 201)
    ok(client.post("/api/v1/inventory/levels", headers=h["manager"],
                   json={"productId": product["id"], "locationId": shelf["id"], "reorderPoint": 5}))
    ok(client.post("/api/v1/inventory/movements", headers=h["manager"],
                   json={**movement, "movementType": "consume", "quantity": 7}), 201)
    worker(t)
    [sent] = _mails(standin, f"ap@{t.slug}.test", invoice["invoiceNumber"])
    assert "250.00 USD" in sent["text"] and f"{BASE_URL}/portal/invoices/{invoice['id']}" in sent["text"]
    [receipt] = _mails(standin, f"ap@{t.slug}.test", "Receipt")
    assert "100.00 USD" in receipt["subject"]
    [low] = _mails(standin, f"buy@{t.slug}.test", "Low stock")
    assert "INK-1" in low["subject"] and "3" in low["text"] and "5" in low["text"]


def test_the_schedules_run_at_the_tenants_time_and_remind_quotes_3_days_ahead(client, shop, standin, worker, admin):
    t, h = shop
    admin.execute("update app.tenants set time_zone = 'America/New_York' where id = %s", [t.id])
    customer = sales_setup(client, h["manager"])
    ok(client.post(f"/api/v1/clients/{customer['id']}/contacts", headers=h["manager"],
                   json={"name": "Q", "email": f"q@{t.slug}.test", "isPrimary": True}), 201)
    soon = (date.today() + timedelta(days=2)).isoformat()
    quote = sent_quote(client, h["manager"], customer["id"], validUntil=soon)
    # 07:59 in New York (12:59 UTC in winter): the quote checker is not due yet; 08:00 it is, once.
    day = date.today().isoformat()
    worker(t, "--now", f"{day}T07:59-0500")
    assert not _mails(standin, f"q@{t.slug}.test")
    worker(t, "--now", f"{day}T08:00-0500")
    worker(t, "--now", f"{day}T09:00-0500")
    [reminder] = _mails(standin, f"q@{t.slug}.test", quote["quoteNumber"])
    assert soon in reminder["subject"]
    runs = admin.execute("select schedule, period from app.schedule_runs where tenant_id = %s order by 1, 2",
                         [t.id]).fetchall()
    assert ("quote_expiry", day) in runs and ("sla_sweep", f"{day}T07") in runs and ("sla_sweep", f"{day}T09") in runs


def test_a_mail_whose_sending_fails_twice_is_sent_once(client, shop, standin, worker):
    t, h = shop
    customer = make_client(client, h["manager"], email=f"retry@{t.slug}.test")
    invoice = sent_invoice(client, h["finance"], customer["id"], 99)
    standin.fail_next = 2
    worker(t)
    worker(t)  # a retry that was not yet due in the first run
    mails = _mails(standin, f"retry@{t.slug}.test", invoice["invoiceNumber"])
    assert len(mails) == 1 and standin.fail_next == 0


def test_a_portal_code_and_a_magic_link_are_mailed_to_the_contact_and_work_once(client, shop, standin, worker):
    t, h = shop
    customer = make_client(client, h["manager"], name="Portal Co")
    email = f"pat@{t.slug}.test"
    ok(client.post(f"/api/v1/clients/{customer['id']}/contacts", headers=h["manager"],
                   json={"name": "Pat", "email": email}), 201)
    project = make_project(client, h["manager"], clientId=customer["id"])
    share = ok(client.post(f"/api/v1/projects/{project['id']}/share-link", headers=h["manager"]), 201)["shareToken"]
    assert client.post(f"/portal/share/{share}/code", json={"email": email}).status_code == 202
    assert client.post("/portal/auth/magic-link", json={"email": email}).status_code == 202
    worker(t)
    [code_mail] = _mails(standin, email, "Your code")
    code = re.search(r"\b(\d{6})\b", code_mail["subject"]).group(1)
    assert code in code_mail["text"] and project["name"] in code_mail["subject"]
    [link_mail] = _mails(standin, email, "Sign in")
    token = re.search(rf"{BASE_URL}/portal/auth/magic\?token=([0-9a-f]{{96}})", link_mail["text"]).group(1)
    assert client.post(f"/portal/share/{share}/verify", json={"email": email, "code": code}).status_code == 200
    assert client.post("/portal/auth/exchange", json={"token": token}).status_code == 200
    assert client.post("/portal/auth/exchange", json={"token": token}).status_code == 401
