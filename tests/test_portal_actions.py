"""What a contact does on the portal, through HTTP against the real database: an approval previewed with its signed
proof and decided (recorded with the contact, once), an upload sent straight to storage, confirmed with its real size,
scanned by the worker and then listed with a logged, signed download; an open invoice paid through Stripe Checkout (a
local stand-in) whose webhook marks it paid. Each with another client's session refused."""

import os
import random
import subprocess
import sys
import threading

import pytest
from billing_support import WEBHOOK_SECRET, StripeStandIn, checkout_completed, signed
from delivery_support import move, stage_coded, task_named
from portal_support import accepted_order, contact, mail_secret, ok, portal_client, sales_setup, share_link, signed_in
from test_files_local import local_path

from service import create_app
from service.db import close_pool


@pytest.fixture(scope="module")
def stand_in():
    with StripeStandIn() as s:
        yield s


@pytest.fixture(scope="module")
def storage_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("portal-storage"))


@pytest.fixture(scope="module")
def portal_app(test_config, stand_in, storage_dir):
    app = create_app({**test_config, "STORAGE_DIR": storage_dir, "STRIPE_API_KEY": "sk_test_pgpsa",
                      "STRIPE_API_BASE": stand_in.url, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET})
    yield app
    close_pool(app)


@pytest.fixture
def web(portal_app):
    """A client with an address of its own, as tests/conftest.py's: sign-in limits count per address."""
    c = portal_app.test_client()
    c.environ_base["REMOTE_ADDR"] = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    return c


@pytest.fixture
def firm(web, make_tenant, login, admin):
    t = make_tenant("manager", "sales", "designer")
    h = {role: login(t, role) for role in ("manager", "sales", "designer")}
    sales_setup(web, h["manager"])
    acme, other = portal_client(web, h["manager"]), portal_client(web, h["manager"], name="Other Co")
    pat, oli = contact(web, h["manager"], acme["id"]), contact(web, h["manager"], other["id"])
    order, project = accepted_order(web, h, acme["id"])
    accepted_order(web, h, other["id"])
    return {"t": t, "h": h, "order": order, "project": ok(web.get(f"/api/v1/projects/{project['id']}",
                                                                   headers=h["manager"])),
            "pat": signed_in(web, admin, pat["email"]), "pat_id": pat["id"], "pat_email": pat["email"],
            "oli": signed_in(web, admin, oli["email"])}


def _staff_file(web, headers, project_id, task_id, content=b"%PDF-1.4 proof") -> str:
    body = {"fileName": "proof.pdf", "contentType": "application/pdf", "size": len(content), "taskId": task_id,
            "visibility": "customer"}
    upload = ok(web.post(f"/api/v1/projects/{project_id}/files", headers=headers, json=body), 201)
    assert web.put(local_path(upload["uploadUrl"]), data=content, headers=upload["headers"]).status_code == 204
    ok(web.post(f"/api/v1/files/{upload['fileId']}/confirm", headers=headers))
    return upload["fileId"]


def test_an_approval_is_previewed_with_its_proof_and_decided_once_by_the_contact(web, firm, admin):
    m, p = firm["h"]["manager"], firm["project"]
    design = stage_coded(p, "design")
    layout = task_named(p, "Design proof")
    proof = _staff_file(web, m, p["id"], layout["id"])
    move(web, m, layout["id"], "in_progress", "in_review")
    asked = ok(web.post(f"/api/v1/stages/{design['id']}/approvals", headers=m,
                        json={"approverContactId": firm["pat_id"]}), 201)
    path = f"/portal/projects/{p['id']}/approvals/{asked['token']}"
    assert web.get(path, headers=firm["oli"]).status_code == 404  # another client's session
    preview = ok(web.get(path, headers=firm["pat"]))
    assert preview["canDecide"] and [f["fileId"] for f in preview["files"]] == [proof]
    assert web.get(local_path(preview["files"][0]["url"])).data == b"%PDF-1.4 proof"
    logged = admin.execute("select contact_id from app.file_access_logs where file_id = %s", [proof]).fetchall()
    assert [str(r[0]) for r in logged] == [firm["pat_id"]]

    decide = f"/portal/approvals/{asked['token']}/decision"
    assert web.post(decide, headers=firm["oli"], json={"decision": "approved"}).status_code == 404
    decided = web.post(decide, headers=firm["pat"], json={"decision": "approved"})
    assert decided.status_code == 200 and decided.get_json()["data"]["status"] == "approved"
    again = web.post(decide, headers=firm["pat"], json={"decision": "revision", "comment": "No"})
    assert again.status_code == 409
    row = admin.execute("select decided_by_contact_id from app.approvals where id = %s",
                        [asked["id"]]).fetchone()
    assert str(row[0]) == firm["pat_id"]


def _worker(tenant, storage_dir):
    env = {**os.environ, "STORAGE_DIR": storage_dir, "PGPSA_JOB_RETRY_WAIT": "0"}
    done = subprocess.run([sys.executable, "-m", "service.cli", "worker", "--once", "--tenant", tenant.slug],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(("content", "declared", "state"), [
    (b"width,height\n100,200\n", "text/csv", "available"),
    (b"MZ\x90\x00" + b"\x00" * 60, "text/csv", "quarantined"),
])
def test_an_upload_is_confirmed_scanned_then_listed_with_a_logged_download(
        web, firm, admin, storage_dir, content, declared, state):
    order, pat = firm["order"], firm["pat"]
    started = web.post(f"/portal/orders/{order['id']}/uploads/size-list", headers=pat,
                       json={"fileName": "sizes.csv", "contentType": declared, "size": len(content)})
    assert started.status_code == 201, started.get_json()
    upload = started.get_json()["data"]
    early = web.post("/portal/files/complete", headers=pat, json={"fileId": upload["fileId"]})
    assert early.status_code == 409 and "Nothing has been uploaded" in early.get_json()["detail"]
    assert web.put(local_path(upload["uploadUrl"]), data=content, headers=upload["headers"]).status_code == 204
    assert web.post("/portal/files/complete", headers=firm["oli"], json={"fileId": upload["fileId"]}).status_code == 404
    done = ok(web.post("/portal/files/complete", headers=pat, json={"fileId": upload["fileId"]}))
    assert (done["state"], done["sizeBytes"]) == ("pending_scan", len(content))
    _worker(firm["t"], storage_dir)
    (listed,) = ok(web.get(f"/portal/orders/{order['id']}/files", headers=pat))
    assert listed["state"] == state and listed["uploadedByMe"]
    if state == "available":
        assert web.get(local_path(listed["downloadUrl"])).data == content
        assert admin.execute("select count(*) from app.file_access_logs where file_id = %s",
                             [upload["fileId"]]).fetchone()[0] == 1
    else:
        assert listed["downloadUrl"] is None
    assert ok(web.get(f"/portal/orders/{order['id']}/files", headers=firm["oli"])) == []


def test_an_open_invoice_is_paid_through_checkout_and_its_webhook(web, firm, stand_in, admin):
    (invoice,) = ok(web.get("/portal/invoices?status=open", headers=firm["pat"]))
    assert web.post("/portal/payments", headers=firm["oli"], json={"invoiceId": invoice["id"]}).status_code == 404
    first = web.post("/portal/payments", headers=firm["pat"], json={"invoiceId": invoice["id"]})
    assert first.status_code == 201, first.get_json()
    # The database's idempotency key for this attempt: a retry of it gets Stripe's same session back.
    sent = stand_in.checkout_requests()[-1]
    key = sent["headers"]["Idempotency-Key"]
    assert key == f"pgpsa-invoice-{invoice['id']}-attempt-{first.get_json()['data']['attempt']}"
    # The payer comes back to the portal: the paid page, or the invoice itself on backing out.
    assert sent["form"]["success_url"].endswith(f"/portal/paid?invoice={invoice['id']}")
    assert sent["form"]["cancel_url"].endswith(f"/portal/invoices/{invoice['id']}")
    cents = int(float(invoice["balanceDue"]) * 100)
    payload, headers = signed(checkout_completed(firm["t"].id, invoice["id"], cents))
    assert web.post("/webhooks/stripe", data=payload, headers=headers).status_code == 200
    assert ok(web.get("/portal/invoices?status=open", headers=firm["pat"])) == []
    (paid,) = ok(web.get("/portal/invoices?status=paid", headers=firm["pat"]))
    assert paid["balanceDue"] == "0.00"


def test_pay_clicked_three_times_at_once_starts_checkouts_and_refuses_none(portal_app, firm, admin):
    (invoice,) = ok(portal_app.test_client().get("/portal/invoices?status=open", headers=firm["pat"]))
    start, answers = threading.Barrier(3), []

    def pay():
        start.wait()
        answers.append(portal_app.test_client().post("/portal/payments", headers=firm["pat"],
                                                     json={"invoiceId": invoice["id"]}).status_code)

    threads = [threading.Thread(target=pay) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert answers == [201, 201, 201]
    # Each attempt recorded keeps its one session: no click overwrote another's.
    assert admin.execute("select count(*) = count(distinct stripe_session_id) from app.stripe_checkouts"
                         " where invoice_id = %s", [invoice["id"]]).fetchone()[0]


def test_a_contact_sees_its_clients_contracts_with_their_status_and_their_documents(web, firm, admin, storage_dir):
    from contracts_support import act, assign, instantiate, make_template

    m = firm["h"]["manager"]
    acme_id = ok(web.get("/portal/me", headers=firm["pat"]))["clientId"]
    contract = instantiate(web, m, make_template(web, m)["id"], acme_id)
    assignment = ok(assign(web, m, contract["id"], acme_id), 201)
    act(web, m, assignment["id"], "activate")
    # A document of the contract (no HTTP route attaches one yet): a stored, confirmed customer file, linked as staff
    # would link it.
    file_id = _staff_file(web, m, firm["project"]["id"], task_named(firm["project"], "Design proof")["id"])
    admin.execute("insert into app.contract_documents (tenant_id, contract_id, file_id) values (%s, %s, %s)",
                  [firm["t"].id, contract["id"], file_id])
    (listed,) = ok(web.get("/portal/contracts", headers=firm["pat"]))
    assert (listed["contractId"], listed["status"]) == (contract["id"], "active")
    (document,) = ok(web.get("/portal/contracts/documents", headers=firm["pat"]))
    assert document["fileId"] == file_id and web.get(local_path(document["downloadUrl"])).status_code == 200
    assert ok(web.get("/portal/contracts", headers=firm["oli"])) == []
    assert ok(web.get("/portal/contracts/documents", headers=firm["oli"])) == []
    # A session opened by a project's share link is about that project: no contracts, nor their documents.
    token = share_link(web, m, firm["project"]["id"])
    pat = firm["pat_email"]
    assert web.post(f"/portal/share/{token}/code", json={"email": pat}).status_code == 202
    shared = web.post(f"/portal/share/{token}/verify", json={"email": pat, "code": mail_secret(admin, pat, "code")})
    assert shared.status_code == 200, shared.get_json()
    project_only = {"Authorization": f"Bearer {shared.get_json()['accessToken']}"}
    assert ok(web.get("/portal/contracts", headers=project_only)) == []
    assert ok(web.get("/portal/contracts/documents", headers=project_only)) == []
