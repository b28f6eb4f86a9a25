"""The client portal in a real browser: Debian's Chromium, headless, driven by Playwright, against the app served by
a real WSGI server on a free port, the real test database, moto's S3 server and a local Stripe Checkout stand-in.
Each test saves a screenshot of every page it visits under <basetemp>/portal-screens/<test>/ and checks each page
(one h1, every form control labelled, every button and link named, no sideways scrolling, no script error)."""

import os
import re
import struct
import uuid
import zlib

import boto3
import pytest
import requests
from botocore.config import Config
from browser_support import CHROMIUM, CHROMIUM_ARGS, CheckoutStandIn, Served, Visit, magic_link, mailed_code
from delivery_support import move, task_named
from moto.server import ThreadedMotoServer
from net_support import free_port
from portal_support import accepted_order, contact, ok, portal_client, sales_setup, share_link

from service import create_app
from service import jobs as worker_jobs
from service.db import close_pool

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing (apt chromium)")

BUCKET = "pgpsa-portal-browser"
PHONE = {"width": 390, "height": 844}


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain PNG of one colour: the proof the client reviews."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG = _png(480, 240, (31, 95, 191))


@pytest.fixture(scope="module")
def s3():
    with pytest.MonkeyPatch.context() as mp:
        for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                            "AWS_DEFAULT_REGION": "us-east-1"}.items():
            mp.setenv(name, value)
        mp.delenv("AWS_PROFILE", raising=False)
        port = free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                              config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
        client.create_bucket(Bucket=BUCKET)
        try:
            yield endpoint, client
        finally:
            server.stop()


@pytest.fixture(scope="module")
def checkout():
    with CheckoutStandIn() as stand_in:
        yield stand_in


@pytest.fixture(scope="module")
def portal(test_config, s3, checkout):
    """The service on a real server: files on moto's S3, Stripe at the stand-in, links in mails to this server."""
    app = create_app({**test_config, "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": s3[0], "S3_REGION": "us-east-1",
                      "STRIPE_API_KEY": "sk_test_portal", "STRIPE_API_BASE": checkout.url,
                      "STRIPE_WEBHOOK_SECRET": "whsec_test_pgpsa", "STRIPE_MAX_RETRIES": 0})
    with Served(app, "portal") as served:
        app.config.update(BASE_URL=served.url, PORTAL_PAID_URL=served.url + "/portal/paid?invoice={invoice_id}",
                          PORTAL_CANCEL_URL=served.url + "/portal/invoices/{invoice_id}")
        checkout.webhook_url = served.url + "/webhooks/stripe"
        served.app = app
        yield served
    close_pool(app)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    scratch = tmp_path_factory.mktemp("chromium")  # Chromium's /tmp/org.chromium.* folders go here
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, "TMPDIR": str(scratch)})
        yield b
        b.close()


@pytest.fixture
def visit(browser, portal, request, tmp_path_factory, admin):
    """A fresh browser (no cookies) whose pages are saved under <basetemp>/portal-screens/<test name>/."""
    # Every browser here signs in from 127.0.0.1, which the sign-in throttle counts (30 in 15 minutes): each test
    # starts with the address's count at nothing, as a visitor of its own.
    admin.execute("delete from internal.portal_throttle where subject like '%:ip:127.0.0.1'")
    phone = request.node.get_closest_marker("phone") is not None
    context = browser.new_context(base_url=portal.url, viewport=PHONE if phone else {"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    folder = tmp_path_factory.getbasetemp() / "portal-screens" / request.node.name
    yield Visit(context.new_page(), folder)
    context.close()


@pytest.fixture
def firm(portal, make_tenant, login):
    """A tenant with two clients: Acme (an accepted order with its project and open deposit invoice, contact Pat)
    and Other (its own order, contact Oli). Made through the team API."""
    api = portal.app.test_client()
    t = make_tenant("manager", "sales")
    h = {role: login(t, role) for role in ("manager", "sales")}  # tokens of the same key as the served app's
    sales_setup(api, h["manager"])
    acme = portal_client(api, h["manager"])
    other = portal_client(api, h["manager"], name="Other Co")
    pat = contact(api, h["manager"], acme["id"], name="Pat Client")
    oli = contact(api, h["manager"], other["id"], name="Oli Other")
    order, project = accepted_order(api, h, acme["id"])
    project = ok(api.get(f"/api/v1/projects/{project['id']}", headers=h["manager"]))
    other_order, other_project = accepted_order(api, h, other["id"])
    return {"t": t, "h": h, "api": api, "acme": acme, "pat": pat, "oli": oli, "order": order, "project": project,
            "other_order": other_order, "other_project": other_project}


def sign_in(visit, admin, portal, email) -> None:
    """Sign in by magic link: the address typed, the link read from the outbox, opened, its button pressed."""
    page = visit.page
    visit.goto("/portal/sign-in")
    page.get_by_label("Email address").fill(email)
    visit.click(page.get_by_role("button", name="Mail me a sign-in link"))
    visit.goto(magic_link(admin, email, portal.url))
    visit.click(page.get_by_role("button", name="Sign in"))


def test_sign_in_by_magic_link_from_the_outbox_with_the_keyboard(visit, firm, admin, portal):
    page, pat = visit.page, firm["pat"]["email"]
    visit.goto("/portal")  # not signed in: the sign-in page
    assert page.url.startswith(f"{portal.url}/portal/sign-in") and visit.heading() == "Sign in"
    for _ in range(6):  # the skip link, the brand, then the field
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type(pat)
    visit.press("Enter")
    assert visit.heading() == "Check your email" and pat in page.inner_text("main")

    link = magic_link(admin, pat, portal.url)
    visit.goto(link)  # opening the link spends nothing (a mail scanner's GET): the button does
    assert visit.heading() == "Sign in to your portal"
    page.get_by_role("button", name="Sign in").focus()
    visit.press("Enter")
    assert page.url == f"{portal.url}/portal" and visit.heading() == "Hello Pat Client"
    assert page.get_by_role("link", name=firm["order"]["orderNumber"]).is_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "pgpsa_portal")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["path"] == "/portal" and cookie["sameSite"] == "Lax"

    # The link works once: a second press says so, and what to do.
    visit.goto(link)
    visit.click(page.get_by_role("button", name="Sign in"))
    assert "used already" in page.inner_text("main")
    assert page.get_by_role("link", name="Ask for a new link").is_visible()

    visit.click(page.get_by_role("button", name="Sign out"))
    assert visit.heading() == "Sign in"
    visit.goto("/portal")
    assert visit.heading() == "Sign in"


@pytest.mark.phone
def test_sign_in_by_share_link_and_code(visit, firm, admin):
    page, pat = visit.page, firm["pat"]["email"]
    token = share_link(firm["api"], firm["h"]["manager"], firm["project"]["id"])
    visit.goto(f"/portal/{token}")
    assert visit.heading() == "See your project"
    page.get_by_label("Email address").fill(pat)
    visit.click(page.get_by_role("button", name="Mail me a code"))
    assert visit.heading() == "Enter your code"
    code = mailed_code(admin, pat)

    page.get_by_label("Code").fill("000000" if code != "000000" else "111111")
    visit.click(page.get_by_role("button", name="Sign in"))
    assert "not right" in page.inner_text("main")
    page.get_by_label("Code").fill(code)  # the error page asks again, the address kept
    visit.click(page.get_by_role("button", name="Sign in"))
    assert visit.heading().startswith(firm["project"]["name"])
    assert page.get_by_role("progressbar", name="Project progress").is_visible()
    # A share link's session reaches its project only: the dashboard lists its order alone.
    visit.click(page.get_by_role("link", name="Your orders", exact=True))
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and firm["order"]["orderNumber"] in rows.inner_text()


@pytest.mark.phone
def test_a_contact_sees_only_its_own_orders_comments_and_is_signed_out_when_staff_revoke(visit, firm, admin, portal):
    page, api, m = visit.page, firm["api"], firm["h"]["manager"]
    shown = task_named(firm["project"], "Print banner")
    ok(api.patch(f"/api/v1/tasks/{shown['id']}", headers=m, json={"clientVisible": True}))
    sign_in(visit, admin, portal, firm["pat"]["email"])
    listed = page.locator("tbody tr").all_inner_texts()
    assert len(listed) == 1 and firm["order"]["orderNumber"] in listed[0]
    assert firm["other_order"]["orderNumber"] not in page.inner_text("main")
    visit.click(page.get_by_role("link", name=firm["order"]["orderNumber"]))
    assert visit.heading() == f"Order {firm['order']['orderNumber']}"
    other_invoice = admin.execute("select id from app.invoices where order_id = %s",
                                  [firm["other_order"]["id"]]).fetchone()[0]
    for path in (f"/portal/view/orders/{firm['other_order']['id']}",
                 f"/portal/view/projects/{firm['other_project']['id']}", f"/portal/invoices/{other_invoice}",
                 f"/portal/view/orders/{uuid.uuid4()}", "/portal/view/orders/not-an-id"):
        assert visit.goto(path).status == 404, path
        assert visit.heading() == "Not found" and page.get_by_role("link", name="Back to your orders").is_visible()

    # The board shows the client-visible step only, and takes a comment on it.
    visit.goto(f"/portal/view/orders/{firm['order']['id']}")
    steps = page.locator(".steps > li")
    assert steps.count() == 1 and steps.inner_text().startswith("Print banner")  # not the team's Design proof task
    page.get_by_label("Comment on Print banner").fill("Can it be ready by Friday?")
    visit.click(page.get_by_role("button", name="Send comment on Print banner"))
    assert "Pat Client: Can it be ready by Friday?" in page.locator(f"#task-{shown['id']}").inner_text()
    assert ok(api.get(f"/api/v1/tasks/{shown['id']}/comments", headers=m))[0]["body"] == "Can it be ready by Friday?"
    # Past the form's limit (sent anyway): the database refuses the comment whole, the page says why, nothing is cut.
    visit.goto(f"/portal/view/orders/{firm['order']['id']}")
    box = page.get_by_label("Comment on Print banner")
    box.evaluate("el => el.removeAttribute('maxlength')")
    box.fill("x" * 10_001)
    visit.click(page.get_by_role("button", name="Send comment on Print banner"))
    assert "10,000 characters" in page.locator("main").inner_text()
    assert len(ok(api.get(f"/api/v1/tasks/{shown['id']}/comments", headers=m))) == 1

    # Staff end Pat's sessions: the next page is the sign-in page.
    assert ok(api.post(f"/api/v1/contacts/{firm['pat']['id']}/portal-sessions/revoke", headers=m)) == {"ended": 1}
    visit.goto(f"/portal/view/orders/{firm['order']['id']}")
    assert page.url == f"{portal.url}/portal/sign-in" and visit.heading() == "Sign in"


def _with_proof(firm, project, s3_client) -> str:
    """The project's design done and its proof (a customer file on the design task) uploaded; the approval asked
    of Pat. Returns the design stage's name."""
    api, m = firm["api"], firm["h"]["manager"]
    full = ok(api.get(f"/api/v1/projects/{project['id']}", headers=m))
    design = task_named(full, "Design proof")
    move(api, m, design["id"], "in_progress", "in_review")
    upload = ok(api.post(f"/api/v1/projects/{project['id']}/files", headers=m, json={
        "fileName": "proof.png", "contentType": "image/png", "size": len(PNG), "visibility": "customer",
        "taskId": design["id"]}), 201)
    sent = requests.post(upload["uploadUrl"], data=upload["fields"], files={"file": ("proof.png", PNG)}, timeout=10)
    assert sent.status_code in (200, 201, 204), sent.text
    ok(api.post(f"/api/v1/files/{upload['fileId']}/confirm", headers=m))
    stage = next(s for s in full["stages"] if s["id"] == design["stageId"])
    ok(api.post(f"/api/v1/stages/{stage['id']}/approvals", headers=m,
                json={"approverContactId": firm["pat"]["id"]}), 201)
    return stage["name"]


def test_approve_one_proof_and_ask_for_a_revision_of_another(visit, firm, admin, portal, s3):
    page = visit.page
    second_order, second_project = accepted_order(firm["api"], firm["h"], firm["acme"]["id"])
    stage = _with_proof(firm, firm["project"], s3[1])
    _with_proof(firm, second_project, s3[1])
    sign_in(visit, admin, portal, firm["pat"]["email"])

    visit.click(page.get_by_role("link", name=firm["order"]["orderNumber"]))
    visit.click(page.get_by_role("link", name=f"Review and decide for {stage}"))
    assert visit.heading() == f"{stage} for {firm['project']['name']}"
    proof = page.get_by_role("img", name="Proof: proof.png")
    assert proof.evaluate("img => img.complete && img.naturalWidth") == 480  # loaded from S3 through its signed URL
    visit.click(page.get_by_role("button", name="Approve"))
    assert visit.heading() == "Approved, thank you"

    visit.click(page.get_by_role("link", name="Back to your orders"))
    visit.click(page.get_by_role("link", name=second_order["orderNumber"]))
    visit.click(page.get_by_role("link", name=f"Review and decide for {stage}"))
    page.get_by_label("What should change?").fill("Make the logo bigger")
    visit.click(page.get_by_role("button", name="Ask for a revision"))
    assert visit.heading() == "Thank you: we will send a new proof"

    decided = admin.execute(
        "select a.project_id::text, a.status, a.decision_comment, a.decided_by_contact_id::text from app.approvals as a"
        " where a.project_id in (%s, %s) order by a.status", [firm["project"]["id"], second_project["id"]]).fetchall()
    pat = firm["pat"]["id"]
    assert decided == [(firm["project"]["id"], "approved", None, pat),
                       (second_project["id"], "revision_requested", "Make the logo bigger", pat)]
    # The order page shows the decision; nothing is left to decide.
    visit.goto(f"/portal/view/orders/{second_order['id']}")
    assert "revision requested" in page.inner_text("main") and page.get_by_text("Review and decide").count() == 0


def test_upload_a_file_to_s3_and_see_it_listed_once_scanned(visit, firm, admin, portal, s3):
    page, order = visit.page, firm["order"]
    sign_in(visit, admin, portal, firm["pat"]["email"])
    visit.goto(f"/portal/view/orders/{order['id']}")
    assert page.get_by_text("No files yet.").is_visible()
    visit.click(page.get_by_role("link", name="Send us a file"))
    assert page.get_by_role("link", name="our size-list template").get_attribute("download") is not None
    content = b"name,size,quantity\nAlex,M,2\nSam,L,1\n"
    page.get_by_label("File").set_input_files({"name": "sizes.csv", "mimeType": "text/csv", "buffer": content})
    page.get_by_role("button", name="Send").click()
    page.get_by_role("status").filter(has_text="sizes.csv is sent").wait_for()
    visit.shot()

    file_id, key, state = admin.execute(
        "select id, storage_key, state from app.files where project_id = %s and file_name = 'sizes.csv'",
        [firm["project"]["id"]]).fetchone()
    assert state == "pending_scan" and key.startswith(f"{firm['t'].id}/{firm['acme']['id']}/{order['id']}/")
    assert s3[1].get_object(Bucket=BUCKET, Key=key)["Body"].read() == content
    visit.click(page.get_by_role("link", name="Back to the order"))
    assert "being checked" in page.locator("#files").inner_text()

    # The scan the worker runs for it (queued by the upload's completion), run here as the job does.
    queued = admin.execute("select args from queue.procrastinate_jobs where task_name = 'scan_file'"
                           " and args ->> 'file_id' = %s", [str(file_id)]).fetchone()
    assert queued, "the upload queued no scan"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(worker_jobs, "_flask", portal.app)  # the job's storage: this app's S3
        worker_jobs.scan_file(**queued[0])
    visit.goto(f"/portal/view/orders/{order['id']}")
    link = page.locator("#files").get_by_role("link", name="sizes.csv")
    assert link.is_visible() and "available" in page.locator("#files").inner_text()
    assert requests.get(link.get_attribute("href"), timeout=10).content == content


def test_pay_an_invoice_through_checkout_and_see_it_paid(visit, firm, admin, portal, checkout):
    page = visit.page
    checkout.webhook_delay = 1.0  # the payer is back before Stripe's word: the page waits for it
    sign_in(visit, admin, portal, firm["pat"]["email"])
    invoice = admin.execute("select id, invoice_number from app.invoices where order_id = %s",
                            [firm["order"]["id"]]).fetchone()
    visit.click(page.get_by_role("link", name=f"Invoice {invoice[1]}"))
    assert visit.heading() == f"Invoice {invoice[1]}"
    visit.click(page.get_by_role("button", name=re.compile(r"^Pay 486\.00 USD")))
    assert page.url.startswith(checkout.url) and visit.heading() == "Pay 486.00 USD"
    # Backing out of Checkout returns to the invoice, still open, and paying again opens a new attempt.
    visit.click(page.get_by_role("link", name="Back"))
    assert page.url == f"{portal.url}/portal/invoices/{invoice[0]}" and visit.heading() == f"Invoice {invoice[1]}"
    visit.click(page.get_by_role("button", name=re.compile(r"^Pay 486\.00 USD")))
    visit.click(page.get_by_role("button", name="Pay 486.00 USD"))
    assert visit.heading() == "Waiting for the payment to arrive"
    page.get_by_role("heading", name="Paid, thank you").wait_for()  # the page reloads itself
    visit.shot()
    assert checkout.delivered == [200]
    assert page.url.startswith(f"{portal.url}/portal/paid?invoice={invoice[0]}")
    assert admin.execute("select status from app.invoices where id = %s", [invoice[0]]).fetchone()[0] == "paid"
    visit.click(page.get_by_role("link", name="Back to your orders"))
    assert page.get_by_text("Nothing to pay.").is_visible()
