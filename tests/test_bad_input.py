"""Whatever a caller sends, the answer is a 4xx problem+json with a request id, and nothing is written."""

import json
import secrets
import typing
import uuid
from datetime import date, datetime

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from service import create_app
from service.api.surface import surface

CREATE = "/api/v1/clients"


@pytest.fixture
def sales(make_tenant, login):
    t = make_tenant("sales")
    return t, login(t, "sales")


def _send(client, headers, body, content_type="application/json"):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(CREATE, headers=headers, data=data, content_type=content_type)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ('{"accountCode": "A1", "name": ', "application/json", 400),  # malformed JSON
        ("", "application/json", 400),  # empty body
        ('{"accountCode": "A1"}', "text/plain", 415),  # not JSON at all
        ({"accountCode": 1, "name": "x", "channel": "web"}, "application/json", 422),  # wrong type
        (
            {"accountCode": "A1", "name": "x", "channel": "web", "colour": "red"},
            "application/json",
            422,
        ),  # unknown
        (
            {"account_code": "A1", "name": "x", "channel": "web"},
            "application/json",
            422,
        ),  # snake_case is not the API
        ({"accountCode": "A1", "name": "x"}, "application/json", 422),  # missing field
        (
            {"accountCode": "A1", "name": "x", "channel": "web", "billingAddress": "str"},
            "application/json",
            422,
        ),
        ({"accountCode": "A1", "name": "x\u0000", "channel": "web"}, "application/json", 422),  # NUL
        (
            '{"accountCode": "\\ud800", "name": "x", "channel": "web"}',
            "application/json",
            422,
        ),  # lone surrogate
        ([1, 2], "application/json", 422),
        ("x" * (1024 * 1024 + 1), "application/json", 413),  # oversized
    ],
)
def test_bad_bodies(client, sales, count, problem, body, content_type, status):
    t, h = sales
    answer = problem(_send(client, h, body, content_type), status)
    if status == 422 and isinstance(body, dict):
        assert answer["errors"] and all(e["pointer"].startswith("/") for e in answer["errors"])
    assert count("clients", t) == 0


def test_field_errors_name_the_field(client, sales, problem):
    _, h = sales
    body = problem(_send(client, h, {"accountCode": 1, "name": "x", "channel": "web", "extra": 1}), 422)
    assert {e["pointer"] for e in body["errors"]} == {"/accountCode", "/extra"}


def _tokens(app, good: str) -> dict:
    claims = jwt.decode(good, options={"verify_signature": False})
    key = app.config["SECRET_KEY"]
    return {
        "none": None,
        "expired": jwt.encode({**claims, "iat": 1, "exp": 2}, key, algorithm="HS256"),
        "forged": jwt.encode(claims, "not-the-service-secret-but-long-enough", algorithm="HS256"),
        "unsigned": jwt.encode(claims, None, algorithm="none"),
    }


@pytest.mark.parametrize("kind", ["none", "expired", "forged", "unsigned"])
def test_bad_tokens_write_nothing(app, client, sales, count, problem, kind):
    t, h = sales
    token = _tokens(app, h["Authorization"].split()[1])[kind]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    problem(_send(client, headers, {"accountCode": "A1", "name": "x", "channel": "web"}), 401)
    assert count("clients", t) == 0


def test_unexpected_errors_are_problems_without_a_trace(test_config, problem):
    app = create_app(test_config)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    body = problem(app.test_client().get("/boom"), 500)
    assert "secret internals" not in json.dumps(body)


def test_routing_errors_are_problems(client, problem):
    problem(client.get("/no/such/page"), 404)
    problem(client.get(f"/api/v1/clients/{uuid.uuid4()}/nothing"), 404)
    problem(client.get("/api/v1/clients/not-a-uuid"), 404)
    r = client.delete("/api/v1/clients")
    problem(r, 405)
    assert "POST" in r.headers["Allow"]


def test_request_id_is_echoed_when_sane(client):
    assert client.get("/healthz", headers={"X-Request-Id": "abc-123"}).headers["X-Request-Id"] == "abc-123"
    odd = client.get("/healthz", headers={"X-Request-Id": "<script>" + "x" * 300}).headers["X-Request-Id"]
    assert odd and "<" not in odd and len(odd) <= 128


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
field_names = st.sampled_from(
    [
        "accountCode",
        "name",
        "channel",
        "phone",
        "email",
        "billingAddress",
        "shippingAddress",
        "taxId",
        "line1",
        "postalCode",
    ]
)
text_or_any = st.text(max_size=30) | json_values
# Mostly well-formed bodies reach the database and its constraints, not just the pydantic edge.
near_valid = st.fixed_dictionaries(
    {"accountCode": st.text(max_size=25), "name": st.text(max_size=300), "channel": st.text(max_size=60)},
    optional={
        "phone": text_or_any,
        "email": text_or_any,
        "taxId": text_or_any,
        "billingAddress": st.dictionaries(st.sampled_from(["line1", "city", "country", "zip"]), text_or_any),
    },
)
client_bodies = json_values | st.dictionaries(field_names, json_values, max_size=8) | near_valid


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=client_bodies)
def test_fuzzed_create_client_never_500s(client, sales, body):
    _, h = sales
    r = _send(client, h, body)
    assert r.status_code < 500, r.get_data(as_text=True)
    if r.status_code >= 400:
        assert r.mimetype == "application/problem+json"


DEEP = "[" * 50_000 + "]" * 50_000  # 100 kB, far inside the size limit
# An id nothing has: fixed, so that every pytest-xdist worker collects the same test ids.
NO_SUCH_ID = uuid.UUID("6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f")


@pytest.mark.parametrize(
    ("method", "path", "auth"),
    [
        ("post", CREATE, True),
        ("post", "/api/v1/auth/token", False),
        ("post", "/api/v1/quotes", True),
        ("post", "/api/v1/invoices", True),
        ("patch", f"/api/v1/clients/{NO_SUCH_ID}", True),
    ],
)
def test_a_deeply_nested_body_is_a_400_on_every_json_route(client, sales, problem, method, path, auth):
    _, h = sales
    headers = h if auth else {}
    for body in (DEEP, '{"accountCode": ' + DEEP + "}"):
        r = client.open(path, method=method, headers=headers, data=body, content_type="application/json")
        answer = problem(r, 400)
        assert "deeper than 32 levels" in answer["detail"]


def test_nesting_up_to_the_limit_is_judged_by_the_model(client, sales, problem):
    _, h = sales
    body = '{"accountCode": "A1", "name": "x", "channel": "web", "billingAddress": ' + "[" * 31 + "]" * 31 + "}"
    problem(_send(client, h, body), 422)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/auth/token"),
        ("post", "/webhooks/stripe"),  # reads the raw body, and would answer 503 (not configured) first
        ("post", f"/api/v1/quotes/{NO_SUCH_ID}/send"),  # takes no body at all
        ("get", "/healthz"),
    ],
)
def test_an_oversized_body_is_a_413_on_every_route(client, sales, problem, method, path):
    _, h = sales
    big = "x" * (1024 * 1024 + 1)
    answer = problem(client.open(path, method=method, headers=h, data=big, content_type="application/json"), 413)
    assert "1048576 bytes" in answer["detail"]


def _incompressible(n: int) -> str:
    # PostgreSQL compresses repetitive text below the index row limit; random text stays ~n bytes.
    return secrets.token_hex(n // 2)


def test_a_5_kb_sign_in_field_is_refused_and_counts_as_no_attempt(client, make_tenant, password, problem):
    t = make_tenant("sales")
    for fields in (
        {"email": _incompressible(5000) + "@x.test"},
        {"tenant": _incompressible(5000)},
        {"email": t.email("sales"), "password": _incompressible(5000)},
    ):
        body = {"tenant": t.slug, "email": "a@b.test", "password": "whatever", **fields}
        for _ in range(5):  # five counted failures would lock the account
            answer = problem(client.post("/api/v1/auth/token", json=body), 422)
            assert answer["errors"][0]["type"] == "string_too_long"
    good = {"tenant": t.slug, "email": t.email("sales"), "password": password}
    assert client.post("/api/v1/auth/token", json=good).status_code == 200


@pytest.mark.parametrize(
    ("field", "pointer"),
    [("name", None), ("email", "email")],  # name: a varchar(255); email: an app.email_address, 254 at most
)
def test_a_5_kb_client_field_is_a_422_naming_it_and_nothing_is_written(client, sales, count, problem, field, pointer):
    t, h = sales
    value = _incompressible(5000) + ("@x.test" if field == "email" else "")
    body = {"accountCode": "LONG1", "name": "Long", "channel": "web", field: value}
    answer = problem(_send(client, h, body), 422)
    if pointer:  # named by the validation of the request, or in the database's words
        named = {e["pointer"] for e in answer.get("errors", [])}
        assert f"/{pointer}" in named or pointer in answer["detail"].lower(), answer
    assert count("clients", t) == 0


@pytest.mark.parametrize("value", [0, 1717113600, "0", "1717113600", True, 20240531.0])
def test_a_date_must_be_an_iso_string(client, sales, problem, value):
    _, h = sales
    answer = problem(client.post("/api/v1/projects", headers=h, json={"name": "P", "dueDate": value}), 422)
    assert "/dueDate" in {e["pointer"] for e in answer["errors"]}
    # Queries too: ?dueBefore=0 was read as 1970-01-01.
    answer = problem(client.get(f"/api/v1/projects?dueBefore={value}", headers=h), 422)
    assert [e["pointer"] for e in answer["errors"]] == ["/dueBefore"]


def test_a_datetime_must_be_an_iso_string(client, make_tenant, login, problem):
    t = make_tenant("finance")
    body = {"clientId": str(uuid.uuid4()), "method": "check", "amount": "10.00", "receivedAt": 1717113600}
    answer = problem(client.post("/api/v1/payments", headers=login(t, "finance"), json=body), 422)
    assert [e["pointer"] for e in answer["errors"]] == ["/receivedAt"]
    assert "ISO 8601" in answer["errors"][0]["detail"]


def _request_models(app):
    with app.app_context():
        plans = surface().plans.values()
    seen, todo = set(), [m for plan in plans for m in (plan.body, plan.query) if m is not None]
    while todo:
        model = todo.pop()
        if model not in seen:
            seen.add(model)
            todo += [a for f in model.model_fields.values() for a in _models_in(f.annotation)]
    return seen


def _types_in(annotation) -> list:
    """The plain types of an annotation: unions, lists and Annotated unwrapped."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _types_in(typing.get_args(annotation)[0])
    args = typing.get_args(annotation)
    return [t for arg in args for t in _types_in(arg)] if args else [annotation]


def _models_in(annotation):
    return [t for t in _types_in(annotation) if isinstance(t, type) and issubclass(t, BaseModel)]


def test_every_date_of_every_request_model_refuses_an_integer(app):
    dated = 0
    for model in _request_models(app):
        for name, f in model.model_fields.items():
            if {date, datetime} & set(_types_in(f.annotation)):
                dated += 1
                alias = f.alias or name
                with pytest.raises(ValidationError) as e:
                    model.model_validate({alias: 0})
                assert any(err["loc"] == (alias,) and "ISO 8601" in err["msg"] for err in e.value.errors()), alias
    assert dated >= 20  # the walk found the models
