"""The client portal through its HTTP surface, against the real database: the two ways in (share link + code,
magic link), sessions (audience, revocation, cookie + CSRF), and what a contact sees and does, each rule with its
refusal, including another client's ids on every route."""

import os
import subprocess
import sys
import threading
import time

import pytest
from portal_support import accepted_order, contact, mail_secret, ok, portal_client, sales_setup, share_link, signed_in


@pytest.fixture
def firm(client, make_tenant, login):
    """A tenant with two clients: Acme (an accepted order, its project and open deposit invoice, two contacts) and
    Other (its own order)."""
    t = make_tenant("manager", "sales", "designer")
    h = {role: login(t, role) for role in ("manager", "sales", "designer")}
    sales_setup(client, h["manager"])
    acme = portal_client(client, h["manager"])
    other = portal_client(client, h["manager"], name="Other Co")
    people = {"pat": contact(client, h["manager"], acme["id"]), "sam": contact(client, h["manager"], acme["id"]),
              "oli": contact(client, h["manager"], other["id"])}
    order, project = accepted_order(client, h, acme["id"])
    other_order, other_project = accepted_order(client, h, other["id"])
    return {"t": t, "h": h, "acme": acme, "people": people, "order": order, "project": project,
            "other_order": other_order, "other_project": other_project}


def _code(client, admin, token, email):
    assert client.post(f"/portal/share/{token}/code", json={"email": email}).status_code == 202
    return mail_secret(admin, email, "code")


def test_share_link_and_code_open_a_session_scoped_to_that_project(client, admin, firm):
    pat = firm["people"]["pat"]["email"]
    token = share_link(client, firm["h"]["manager"], firm["project"]["id"])
    unknown = client.post(f"/portal/share/{token}/code", json={"email": "nobody@example.test"})
    known = client.post(f"/portal/share/{token}/code", json={"email": pat})
    assert unknown.status_code == known.status_code == 202 and unknown.get_json() == known.get_json()
    code = mail_secret(admin, pat, "code")
    assert code and len(code) == 6 and code.isdigit()
    assert mail_secret(admin, "nobody@example.test", "code") is None
    # A contact of another client of the firm gets no code for Acme's project.
    assert _code(client, admin, token, firm["people"]["oli"]["email"]) is None

    wrong = "000000" if code != "000000" else "111111"
    r = client.post(f"/portal/share/{token}/verify", json={"email": pat, "code": wrong})
    assert r.status_code == 401 and "not right" in r.get_json()["detail"]
    # An address with no code is answered the same: the answer does not tell a contact's address from another.
    stranger = client.post(f"/portal/share/{token}/verify", json={"email": "nobody@example.test", "code": wrong})
    assert (stranger.status_code, stranger.get_json()["detail"]) == (401, r.get_json()["detail"])
    r = client.post(f"/portal/share/{token}/verify", json={"email": pat, "code": code})
    assert r.status_code == 200, r.get_json()
    headers = {"Authorization": f"Bearer {r.get_json()['accessToken']}"}
    me = ok(client.get("/portal/me", headers=headers))
    assert me["projectId"] == firm["project"]["id"] and me["clientId"] == firm["acme"]["id"]
    assert ok(client.get(f"/portal/projects/{firm['project']['id']}", headers=headers))["id"] == firm["project"]["id"]
    assert [o["id"] for o in ok(client.get("/portal/orders", headers=headers))] == [firm["order"]["id"]]
    # Used once: the same code again is refused.
    again = client.post(f"/portal/share/{token}/verify", json={"email": pat, "code": code})
    assert again.status_code == 401 and "used" in again.get_json()["detail"]


def test_a_code_locks_after_five_wrong_tries_and_expires_after_ten_minutes(client, admin, firm):
    pat = firm["people"]["pat"]["email"]
    token = share_link(client, firm["h"]["manager"], firm["project"]["id"])
    code = _code(client, admin, token, pat)
    wrong = "000000" if code != "000000" else "111111"
    answers = [client.post(f"/portal/share/{token}/verify", json={"email": pat, "code": wrong}).status_code
               for _ in range(5)]
    assert answers == [401, 401, 401, 401, 429]
    r = client.post(f"/portal/share/{token}/verify", json={"email": pat, "code": code})
    assert r.status_code == 429 and "no longer works" in r.get_json()["detail"]

    code = _code(client, admin, token, pat)
    admin.execute("update app.portal_codes set expires_at = now() - interval '1 second' where used_at is null"
                  " and wrong_tries = 0")
    r = client.post(f"/portal/share/{token}/verify", json={"email": pat, "code": code})
    assert r.status_code == 401 and "expired" in r.get_json()["detail"]


def test_a_rotated_share_link_ends_the_old_one_and_its_sessions(client, admin, firm):
    pat = firm["people"]["pat"]["email"]
    m = firm["h"]["manager"]
    old = share_link(client, m, firm["project"]["id"])
    r = client.post(f"/portal/share/{old}/verify", json={"email": pat, "code": _code(client, admin, old, pat)})
    headers = {"Authorization": f"Bearer {r.get_json()['accessToken']}"}
    assert client.get("/portal/me", headers=headers).status_code == 200
    share_link(client, m, firm["project"]["id"])
    assert client.get("/portal/me", headers=headers).status_code == 401
    assert _code(client, admin, old, pat) is None  # the old link mails nothing any more


def test_magic_link_once_for_fifteen_minutes_the_same_answer_for_anyone(client, admin, firm):
    pat = firm["people"]["pat"]["email"]
    took = {}
    for who, email in (("unknown", "nobody@example.test"), ("known", pat)):
        started = time.monotonic()
        took[who] = (client.post("/portal/auth/magic-link", json={"email": email}), time.monotonic() - started)
    (unknown, unknown_s), (known, known_s) = took["unknown"], took["known"]
    assert unknown.status_code == known.status_code == 202 and unknown.get_json() == known.get_json()
    # Neither answer comes sooner than the floor, so how long it took does not say whether the address is known.
    assert min(unknown_s, known_s) >= 0.25, took
    token = mail_secret(admin, pat, "magic_token")
    first = client.post("/portal/auth/exchange", json={"token": token})
    assert first.status_code == 200 and first.get_json()["tokenType"] == "bearer"
    assert "pgpsa_portal=" in first.headers["Set-Cookie"] and "HttpOnly" in first.headers["Set-Cookie"]
    second = client.post("/portal/auth/exchange", json={"token": token})
    assert second.status_code == 401 and "used" in second.get_json()["detail"]

    client.post("/portal/auth/magic-link", json={"email": pat})
    admin.execute("update app.portal_magic_links set expires_at = now() - interval '1 second' where used_at is null")
    late = client.post("/portal/auth/exchange", json={"token": mail_secret(admin, pat, "magic_token")})
    assert late.status_code == 401 and "expired" in late.get_json()["detail"]
    assert client.post("/portal/auth/exchange", json={"token": "f" * 96}).status_code == 401


def test_sign_in_asks_are_rate_limited_per_email(client, firm):
    pat = firm["people"]["pat"]["email"]
    answers = [client.post("/portal/auth/magic-link", json={"email": pat}).status_code for _ in range(6)]
    assert answers == [202] * 5 + [429]


def test_staff_and_portal_tokens_each_open_only_their_own_door(client, admin, firm):
    portal = signed_in(client, admin, firm["people"]["pat"]["email"])
    assert client.get("/api/v1/me", headers=portal).status_code == 401
    client.delete_cookie("pgpsa_portal", path="/portal")  # the exchange set it; bearer headers only here
    assert client.get("/portal/me", headers=firm["h"]["manager"]).status_code == 401
    assert client.get("/portal/me").status_code == 401


def test_staff_see_and_revoke_a_contacts_sessions_and_the_next_request_fails(client, admin, firm):
    m = firm["h"]["manager"]
    pat, sam = firm["people"]["pat"], firm["people"]["sam"]
    pat_h, sam_h = signed_in(client, admin, pat["email"]), signed_in(client, admin, sam["email"])
    listed = ok(client.get(f"/api/v1/portal-sessions?contactId={pat['id']}", headers=m))
    assert [(s["contactName"], s["wayIn"], s["active"]) for s in listed] == [("Pat Client", "magic_link", True)]
    assert ok(client.post(f"/api/v1/contacts/{pat['id']}/portal-sessions/revoke", headers=m)) == {"ended": 1}
    r = client.get("/portal/me", headers=pat_h)
    assert r.status_code == 401 and "ended" in r.get_json()["detail"]
    assert client.get("/portal/me", headers=sam_h).status_code == 200
    assert ok(client.post(f"/api/v1/clients/{firm['acme']['id']}/portal-sessions/revoke", headers=m)) == {"ended": 1}
    assert client.get("/portal/me", headers=sam_h).status_code == 401
    # A designer (no clients:write) may not end them.
    refused = client.post(f"/api/v1/contacts/{pat['id']}/portal-sessions/revoke", headers=firm["h"]["designer"])
    assert refused.status_code == 403


def test_a_contact_sees_its_clients_orders_and_never_another_clients(client, admin, firm):
    h = signed_in(client, admin, firm["people"]["pat"]["email"])
    orders = ok(client.get("/portal/orders?page[size]=10", headers=h))
    assert [o["id"] for o in orders] == [firm["order"]["id"]]
    assert orders[0]["stagesTotal"] >= 1 and orders[0]["currentStage"]
    order = ok(client.get(f"/portal/orders/{firm['order']['id']}", headers=h))
    assert [i["kind"] for i in order["invoices"]] == ["deposit"] and order["invoices"][0]["balanceDue"] == "486.00"
    assert [e["kind"] for e in order["timeline"]][:1] == ["order_placed"]
    assert [i["status"] for i in ok(client.get("/portal/invoices?status=open", headers=h))] == ["sent"]
    other, other_project = firm["other_order"]["id"], firm["other_project"]["id"]
    for path in (f"/portal/orders/{other}", f"/portal/projects/{other_project}"):
        assert client.get(path, headers=h).status_code == 404, path
    assert ok(client.get(f"/portal/orders/{other}/files", headers=h)) == []
    upload = {"fileName": "sizes.csv", "contentType": "text/csv", "size": 10}
    assert client.post(f"/portal/orders/{other}/uploads/size-list", headers=h, json=upload).status_code == 404
    other_invoice = admin.execute("select id from app.invoices where order_id = %s", [other]).fetchone()[0]
    assert client.post("/portal/payments", headers=h, json={"invoiceId": str(other_invoice)}).status_code in (404, 503)


def test_capabilities_are_the_databases_a_viewer_may_not_upload_pay_or_decide(client, admin, firm):
    m = firm["h"]["manager"]
    viewer = contact(client, m, firm["acme"]["id"], portalCapabilities=["view"])
    h = signed_in(client, admin, viewer["email"])
    assert ok(client.get("/portal/me", headers=h))["capabilities"] == ["view"]
    upload = {"fileName": "sizes.csv", "contentType": "text/csv", "size": 10}
    r = client.post(f"/portal/orders/{firm['order']['id']}/uploads/size-list", headers=h, json=upload)
    assert r.status_code == 403 and "may not upload" in r.get_json()["detail"]
    # Without view, no portal at all: a code is never mailed and a session stops at its next request.
    ok(client.patch(f"/api/v1/contacts/{viewer['id']}", headers=m, json={"portalCapabilities": []}))
    assert client.get("/portal/me", headers=h).status_code == 401
    bad = client.patch(f"/api/v1/contacts/{viewer['id']}", headers=m, json={"portalCapabilities": ["admin"]})
    assert bad.status_code == 422


def test_cookie_sessions_need_the_csrf_token_for_writes(client, admin, firm):
    pat = firm["people"]["pat"]["email"]
    client.post("/portal/auth/magic-link", json={"email": pat})
    csrf = client.post("/portal/auth/exchange", json={"token": mail_secret(admin, pat, "magic_token")}
                       ).get_json()["csrfToken"]
    assert client.get("/portal/me").status_code == 200  # the cookie alone reads
    tasks = ok(client.get(f"/portal/projects/{firm['project']['id']}")).get("tasks")
    target = f"/portal/orders/{firm['order']['id']}/uploads/size-list"
    upload = {"fileName": "sizes.csv", "contentType": "text/csv", "size": 10}
    refused = client.post(target, json=upload)
    assert refused.status_code == 403 and "reload the page" in refused.get_json()["detail"]
    forged = client.post(target, json=upload, headers={"X-CSRF-Token": "é" * len(csrf)})  # not ASCII: still a 403
    assert forged.status_code == 403 and "reload the page" in forged.get_json()["detail"]
    sent = client.post(target, json=upload, headers={"X-CSRF-Token": csrf})
    assert sent.status_code == 201, sent.get_json()
    assert tasks is not None


def _at_once(app, path: str, body: dict, n: int = 4) -> list[int]:
    start, statuses = threading.Barrier(n), []

    def send():
        start.wait()
        statuses.append(app.test_client().post(path, json=body).status_code)

    threads = [threading.Thread(target=send) for _ in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return sorted(statuses)


def test_a_link_or_a_code_sent_four_times_at_once_opens_one_session(app, client, admin, firm):
    pat = firm["people"]["pat"]["email"]
    client.post("/portal/auth/magic-link", json={"email": pat})
    link = {"token": mail_secret(admin, pat, "magic_token")}
    assert _at_once(app, "/portal/auth/exchange", link) == [200, 401, 401, 401]
    token = share_link(client, firm["h"]["manager"], firm["project"]["id"])
    code = _code(client, admin, token, pat)
    assert _at_once(app, f"/portal/share/{token}/verify", {"email": pat, "code": code}) == [200, 401, 401, 401]
    assert admin.execute("select count(*) from app.portal_sessions where contact_id = %s",
                         [firm["people"]["pat"]["id"]]).fetchone()[0] == 2


def test_the_paid_page_takes_any_try_count(client):
    for tries in ("2", "²", "9" * 5000, "-1"):  # '²' is a digit to Python's isdigit, and int() refuses it
        answer = client.get("/portal/paid", query_string={"invoice": "x", "try": tries})
        assert answer.status_code == 303  # to sign in, not a 500


def test_asking_for_links_eight_times_at_once_still_mails_five(app, admin, firm):
    pat = firm["people"]["pat"]["email"]
    answers = _at_once(app, "/portal/auth/magic-link", {"email": pat}, n=8)
    assert answers == [202] * 5 + [429] * 3
    mails = "select count(*) from app.outbound_mail where to_email = %s and template = 'portal_magic_link'"
    assert admin.execute(mails, [pat]).fetchone()[0] == 5


def test_the_demo_contact_sees_orders_in_every_state_an_open_approval_a_proof_and_an_invoice(
        client, admin, database_url):
    """`make run` prints this contact's share link: pgpsa seed-demo (idempotent) loads the demo, as make run does."""
    done = subprocess.run([sys.executable, "-m", "service.cli", "seed-demo"], capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": database_url}, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Demo portal for Acme Signs" in done.stdout and "/portal/" in done.stdout
    row = admin.execute("select k.email from app.contacts as k join app.clients as c on c.id = k.client_id"
                        " join app.tenants as t on t.id = c.tenant_id where t.slug = 'demo' and c.account_code = 'ACME'"
                        " and k.is_primary").fetchone()
    h = signed_in(client, admin, row[0])
    orders = ok(client.get("/portal/orders?page[size]=10", headers=h))
    assert {o["status"] for o in orders} >= {"pending", "in_production", "on_hold", "ready", "completed", "cancelled"}
    accepted = next(o for o in orders if o["poNumber"] == "PO-ACME-2291")
    detail = ok(client.get(f"/portal/orders/{accepted['id']}", headers=h))
    assert [a["status"] for a in detail["openApprovals"]] == ["pending"] and detail["openApprovals"][0]["canDecide"]
    assert any(i["balanceDue"] != "0.00" for i in detail["invoices"])
    files = ok(client.get(f"/portal/orders/{accepted['id']}/files", headers=h))
    assert [f["fileName"] for f in files] == ["proof-v1.pdf"]


def test_signing_out_ends_the_session_in_the_database(client, admin, firm):
    h = signed_in(client, admin, firm["people"]["pat"]["email"])
    assert client.post("/portal/auth/logout", headers=h).status_code == 204
    r = client.get("/portal/me", headers=h)
    assert r.status_code == 401 and "ended" in r.get_json()["detail"]
