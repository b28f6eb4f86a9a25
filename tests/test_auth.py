"""The token flow: sign-in, /me, identical failures, throttling, and tokens that must be refused."""

import time
import uuid

import jwt
import pytest


def token_request(client, tenant, email, password):
    return client.post("/api/v1/auth/token", json={"tenant": tenant, "email": email, "password": password})


def test_good_login_gives_a_token_for_me(client, make_tenant, password):
    t = make_tenant("sales")
    r = token_request(client, t.slug, t.email("sales"), password)
    assert r.status_code == 200
    body = r.get_json()
    assert body["tokenType"] == "bearer" and body["expiresIn"] > 0
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['accessToken']}"})
    assert me.status_code == 200
    data = me.get_json()["data"]
    assert data["email"] == t.email("sales") and data["tenantSlug"] == t.slug and data["role"] == "sales"
    assert "clients:write" in data["permissions"] and "clients:tax_id" not in data["permissions"]


def test_unknown_email_and_wrong_password_look_the_same(client, make_tenant, password, problem):
    t = make_tenant("sales")
    wrong = token_request(client, t.slug, t.email("sales"), password + "x")
    unknown = token_request(client, t.slug, "nobody@" + t.slug + ".test", password)
    unknown_tenant = token_request(client, "no-such-" + t.slug, t.email("sales"), password)
    bodies = [problem(r, 401) for r in (wrong, unknown, unknown_tenant)]
    for b in bodies:
        b.pop("requestId")
    assert bodies[0] == bodies[1] == bodies[2]


def test_repeated_failures_are_throttled(client, make_tenant, password, problem):
    t = make_tenant("sales")
    for _ in range(5):
        problem(token_request(client, t.slug, t.email("sales"), "wrong"), 401)
    # Even the right password is refused while the account is locked.
    body = problem(token_request(client, t.slug, t.email("sales"), password), 429)
    assert body["code"] == "PT429" and body["hint"]
    # Unknown emails are throttled the same way, so throttling does not reveal who exists.
    for _ in range(5):
        problem(token_request(client, t.slug, "ghost@x.test", "wrong"), 401)
    problem(token_request(client, t.slug, "ghost@x.test", "wrong"), 429)


def test_a_success_clears_earlier_failures(client, make_tenant, password):
    t = make_tenant("sales")
    for _ in range(4):
        token_request(client, t.slug, t.email("sales"), "wrong")
    assert token_request(client, t.slug, t.email("sales"), password).status_code == 200
    for _ in range(4):
        token_request(client, t.slug, t.email("sales"), "wrong")
    assert token_request(client, t.slug, t.email("sales"), password).status_code == 200


def _token(app, **claims) -> str:
    now = int(time.time())
    base = {"sub": str(uuid.uuid4()), "tid": str(uuid.uuid4()), "iat": now, "exp": now + 60}
    return jwt.encode({**base, **claims}, app.config["SECRET_KEY"], algorithm="HS256")


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwdw==",
        "Bearer not-a-jwt",
    ],
)
def test_missing_or_garbled_token_is_401(client, problem, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    problem(client.get("/api/v1/me", headers=headers), 401)
    assert client.get("/api/v1/me", headers=headers).headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_forged_and_malformed_tokens_are_401(app, client, make_tenant, login, problem):
    t = make_tenant("sales")
    good = login(t, "sales")["Authorization"].split()[1]
    claims = jwt.decode(good, options={"verify_signature": False})
    expired = _token(app, sub=claims["sub"], tid=claims["tid"], iat=1, exp=2)
    forged = jwt.encode(claims, "another-secret-that-is-long-enough-for-hs256", algorithm="HS256")
    none_alg = jwt.encode(claims, None, algorithm="none")
    no_exp = jwt.encode(
        {"sub": claims["sub"], "tid": claims["tid"]}, app.config["SECRET_KEY"], algorithm="HS256"
    )
    bad_tid = _token(app, sub=claims["sub"], tid="not-a-uuid")
    body = problem(client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"}), 401)
    assert "expired" in body["detail"]
    for token in (forged, none_alg, no_exp, bad_tid, good[:-2]):
        problem(client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401)


def test_a_token_accepted_before_is_refused_once_it_expires(app, client, make_tenant, login, problem, monkeypatch):
    """The service remembers a token whose signature it checked (service.auth.verified_claims): its expiry is
    still read at every use."""
    t = make_tenant("sales")
    claims = jwt.decode(login(t, "sales")["Authorization"].split()[1], options={"verify_signature": False})
    soon = {"Authorization": f"Bearer {_token(app, sub=claims['sub'], tid=claims['tid'], tsl=t.slug)}"}
    assert client.get("/api/v1/me", headers=soon).status_code == 200
    assert client.get("/api/v1/me", headers=soon).status_code == 200  # remembered
    later = time.time() + 61
    monkeypatch.setattr("service.auth.time.time", lambda: later)
    body = problem(client.get("/api/v1/me", headers=soon), 401)
    assert "expired" in body["detail"]


def test_token_of_a_user_that_does_not_exist_is_refused_everywhere(app, client, problem):
    headers = {"Authorization": f"Bearer {_token(app)}"}
    problem(client.get("/api/v1/me", headers=headers), 401)
    body = problem(client.get("/api/v1/clients", headers=headers), 401)
    assert "no longer exists or is disabled" in body["detail"]


def test_an_x_tenant_header_must_name_the_tokens_tenant(client, make_tenant, login, problem):
    t, other = make_tenant("sales"), make_tenant("sales")
    h = login(t, "sales")
    for named in (t.slug, t.slug.upper(), f"  {t.slug} ", str(t.id), ""):  # blank names no tenant
        assert client.get("/api/v1/clients", headers={**h, "X-Tenant": named}).status_code == 200, named
    assert client.get("/api/v1/clients", headers=h).status_code == 200  # no header: as before
    for named in (other.slug, str(other.id), "no-such-tenant"):
        body = problem(client.get("/api/v1/clients", headers={**h, "X-Tenant": named}), 400)
        assert body["detail"] == (
            f"The X-Tenant header names tenant {named}, but the access token is for tenant {t.slug}."
        )
    # A write is refused before it runs.
    new_client = {"accountCode": "XT1", "name": "X", "channel": "web"}
    problem(client.post("/api/v1/clients", headers={**h, "X-Tenant": other.slug}, json=new_client), 400)


def test_a_token_without_the_slug_claim_matches_only_the_tenant_id(app, client, make_tenant, login, problem):
    t = make_tenant("sales")
    claims = jwt.decode(login(t, "sales")["Authorization"].split()[1], options={"verify_signature": False})
    old = {"Authorization": f"Bearer {_token(app, sub=claims['sub'], tid=claims['tid'])}"}
    assert client.get("/api/v1/me", headers={**old, "X-Tenant": str(t.id)}).status_code == 200
    assert client.get("/api/v1/me", headers=old).status_code == 200
    body = problem(client.get("/api/v1/me", headers={**old, "X-Tenant": t.slug}), 400)
    assert str(t.id) in body["detail"] and "sign in again" in body["hint"]


def test_a_disabled_users_token_is_refused_everywhere(client, make_tenant, login, admin, problem):
    t = make_tenant("manager")
    h = login(t, "manager")
    assert client.get("/api/v1/clients", headers=h).status_code == 200
    disable = "update app.users set disabled_at = now() where tenant_id = %s and id = %s"
    admin.execute(disable, [t.id, t.users["manager"][0]])
    problem(client.get("/api/v1/clients", headers=h), 401)
    new_client = {"accountCode": "DIS1", "name": "Disabled", "channel": "web"}
    problem(client.post("/api/v1/clients", headers=h, json=new_client), 401)
