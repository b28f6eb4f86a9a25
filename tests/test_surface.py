"""The HTTP surface says what the database says: the served OpenAPI document against the catalog (read here in SQL,
not through service.api.catalog), the declared permissions against the database's, and a view's new column
reaching the API with no Python change."""

import re

import pytest
from pydantic.alias_generators import to_camel

from conftest import PASSWORD
from service import create_app
from service.api.routes import ROUTES as STAFF_ROUTES
from service.db import close_pool
from service.migrate import apply_repeatable
from service.portal.routes import PORTAL_ROUTES

_JSON_TYPE = {  # a base type's JSON types, in a request (money and measures may come as strings)
    "text": {"string"}, "character varying": {"string"}, "citext": {"string"}, "uuid": {"string"},
    "integer": {"integer"}, "bigint": {"integer"}, "smallint": {"integer"}, "numeric": {"number", "string"},
    "boolean": {"boolean"}, "date": {"string"}, "timestamp with time zone": {"string"}, "jsonb": {"object", "array"},
}
ROUTES = STAFF_ROUTES + PORTAL_ROUTES
_ARGUMENTS = """
select a.name, a.position, a.position > p.pronargs - p.pronargdefaults as has_default, a.type::regtype::text as type
from pg_proc as p, unnest(p.proargnames[1:p.pronargs], p.proargtypes::oid[]) with ordinality as a (name, type, position)
where p.oid = %s::regproc
order by a.position
"""
_TYPE = """
select coalesce(nullif(t.typbasetype, 0), t.oid)::regtype::text as base,
    format_type(coalesce(nullif(t.typbasetype, 0), t.oid), t.typtypmod) as declared,
    (select string_agg(pg_get_constraintdef(c.oid), ' and ') from pg_constraint as c where c.contypid = t.oid) as checks
from pg_type as t where t.oid = %s::regtype
"""
_ATTRIBUTES = """
select a.attname as name, a.atttypid::regtype::text as type, format_type(a.atttypid, a.atttypmod) as declared,
    col_description(a.attrelid, a.attnum) as comment
from pg_attribute as a where a.attrelid = %s::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum
"""


@pytest.fixture(scope="module")
def document(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


def _resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _variants(doc: dict, schema: dict) -> list[dict]:
    schema = _resolve(doc, schema)
    return [v for s in schema.get("anyOf", [schema]) for v in _variants_of(doc, s)]


def _variants_of(doc, s):
    s = _resolve(doc, s)
    return _variants(doc, s) if "anyOf" in s else [s]


def _limit(declared: str, checks: str | None) -> int | None:
    if m := re.search(r"character varying\((\d+)\)", declared):
        return int(m[1])
    if checks and (m := re.search(r"char_length\(\(?VALUE\)?(?:::text)?\) <= (\d+)", checks)):
        return int(m[1])
    return None


def _check_field(admin, doc, where: str, prop: dict, sql_type: str, required_sql: bool, required_doc: bool):
    base, declared, checks = admin.execute(_TYPE, [sql_type]).fetchone()
    variants = _variants(doc, prop)
    types = {v.get("type") for v in variants if v.get("type") != "null"} - {None}
    assert "null" not in {v.get("type") for v in variants} or not required_sql, f"{where}: required yet nullable"
    assert required_doc == required_sql, f"{where}: required in the database is {required_sql}"
    if base in _JSON_TYPE and not base.endswith("[]") and types:
        assert types <= _JSON_TYPE[base] | ({"object"} if checks and "conforms" in checks else set()), where
    limits = {v.get("maxLength") for v in variants if v.get("type") == "string"} - {None}
    if (expected := _limit(declared, checks)) is not None and checks and "conforms" not in checks:
        assert limits == {expected}, f"{where}: maxLength {limits}, the database says {expected}"
    if checks and (m := re.search(r"VALUE = ANY \('\{([^}]*)\}'", checks)):
        enums = [v.get("enum") for v in variants if v.get("enum")]
        assert enums == [m[1].split(",")], f"{where}: the vocabulary is the domain's"


def _shape_of(admin, domain: str) -> tuple[str, set[str], set[str]] | None:
    _, _, checks = admin.execute(_TYPE, [domain]).fetchone()
    shape = r"conforms(?:_each)?\(VALUE, '([a-z_.]+)'::regtype(?:, '\{([^}]*)\}'::text\[\])?(?:, '\{([^}]*)\}')?"
    if not (m := re.search(shape, checks or "")):
        return None
    return m[1], set(filter(None, (m[2] or "").split(","))), set(filter(None, (m[3] or "").split(",")))


def _body_fields(admin, function: str, bound: int) -> dict[str, tuple[str, bool, bool]]:
    """camelCase field -> (SQL type, required, may be null) of a function's body, from the catalog."""
    fields = {}
    for name, _, has_default, sql_type in admin.execute(_ARGUMENTS, [function]).fetchall()[bound:]:
        shape = _shape_of(admin, sql_type) if name == "p" else None
        if shape is None:
            fields[to_camel(name.removeprefix("p_"))] = (sql_type, not has_default, has_default)
            continue
        composite, required, not_null = shape
        for attribute, attribute_type, _, _ in admin.execute(_ATTRIBUTES, [composite]).fetchall():
            fields[to_camel(attribute)] = (attribute_type, attribute in required, attribute not in required | not_null)
    return fields


def _operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield path, method, op


def test_every_request_field_is_the_databases_with_its_type_nullability_and_limits(document, admin):
    checked = 0
    for path, method, op in _operations(document):
        if "x-function" not in op or "requestBody" not in op:
            continue
        bound = path.count("{")
        expected = _body_fields(admin, op["x-function"], bound)
        schema = _resolve(document, op["requestBody"]["content"]["application/json"]["schema"])
        assert set(schema["properties"]) == set(expected), f"{method} {path}"
        for name, prop in schema["properties"].items():
            sql_type, required, nullable = expected[name]
            _check_field(admin, document, f"{method} {path} {name}", prop, sql_type, required,
                         name in schema.get("required", []))
            has_null = "null" in {v.get("type") for v in _variants(document, prop)}
            assert has_null == nullable, f"{method} {path} {name}: null is {'' if nullable else 'not '}allowed"
            checked += 1
    assert checked > 150  # the walk reached the bodies


def test_every_response_field_is_a_column_of_its_view(document, admin):
    routes = {r.name: r for r in ROUTES}
    checked = 0
    for path, method, op in _operations(document):
        r = routes[op["operationId"]]
        content = op["responses"][str(r.status)].get("content", {}).get("application/json")
        if r.read is None or content is None:
            continue
        data = _resolve(document, _resolve(document, content["schema"])["properties"]["data"])
        model = _resolve(document, data.get("items", data))
        columns = {
            to_camel(name): sql_type
            for name, sql_type, _, comment in admin.execute(_ATTRIBUTES, [_qualified(r.read.view)]).fetchall()
            if "@internal" not in (comment or "")
        }
        extra = set(model["properties"]) - set(columns)
        assert set(columns) <= set(model["properties"]), f"{method} {path}: every column is answered"
        if r.response is None:  # what code adds to a read is the route's business; a plain read is the view
            assert extra <= {to_camel(e) for e in r.read.embeds}, f"{method} {path}: {extra} are not columns"
        for name, sql_type in columns.items():
            base = admin.execute(_TYPE, [sql_type]).fetchone()[0]
            types = {v.get("type") for v in _variants(document, model["properties"][name])} - {"null", None}
            expected = {"string"} if sql_type == "app.money" else _JSON_TYPE.get(base, types) | {"object", "array"}
            assert not types or types <= expected, f"{method} {path} {name}: {types} for {sql_type}"
            checked += 1
    assert checked > 400


def _qualified(view: str) -> str:
    return view if "." in view else f"api.{view}"


def _permissions_of_function(admin, function: str, seen: set | None = None) -> set[str]:
    """What a function asks for, itself or in the internal functions it calls (move_quote, create_file...)."""
    seen = seen if seen is not None else set()
    schema, name = function.split(".")
    if function in seen:
        return set()
    seen.add(function)
    sources = admin.execute(
        "select pg_get_functiondef(oid) from pg_proc where proname = %s and pronamespace = %s::regnamespace"
        " and prokind = 'f'", [name, schema]).fetchall()
    found = set()
    for (source,) in sources:
        found |= set(re.findall(r"require_permission\('([a-z_]+:[a-z_]+)'(?:::text)?\)", source))
        for table, command in re.findall(r"require_access\('([a-z_.]+)'(?:::text)?, '([a-z]+)'(?:::text)?\)", source):
            row = admin.execute(
                "select permissions from internal.table_permissions where table_name = %s and command = %s",
                [table, command]).fetchone()
            found |= set(row[0]) if row else set()
        for callee in set(re.findall(r"\b((?:internal|api)\.[a-z_]+)\(", source)) - {function}:
            found |= _permissions_of_function(admin, callee, seen)
    return found


def _permissions_of_view(admin, view: str) -> set[str]:
    rows = admin.execute(
        "select p.permissions from information_schema.view_table_usage as u"
        " join internal.table_permissions as p on p.table_name in (u.table_name, u.table_schema || '.' || u.table_name)"
        " where u.view_schema = 'api' and u.view_name = %s and p.command = 'select'", [view]).fetchall()
    return {p for (permissions,) in rows for p in permissions}


def _functions_of(r) -> set[str]:
    return {f for f in (r.call, r.body, *r.calls) if isinstance(f, str)}


def test_the_declared_permission_is_one_the_database_asks_for(admin):
    for r in ROUTES:
        if r.permission is None:
            continue
        asked = {p for f in _functions_of(r) for p in _permissions_of_function(admin, f"api.{f}")}
        if r.read is not None and (r.call is None or not asked):  # a read (or a call that reads after it)
            asked |= _permissions_of_view(admin, r.read.view)
        assert r.permission in asked, f"{r.name} declares {r.permission}; the database asks for {sorted(asked)}"


def test_no_route_calls_a_function_with_an_untyped_body(admin):
    for r in ROUTES:
        function = r.call or (r.body if isinstance(r.body, str) else None)
        if function:
            qualified = function if "." in function else f"api.{function}"
            types = {t for _, _, _, t in admin.execute(_ARGUMENTS, [qualified]).fetchall()}
            assert not types & {"jsonb", "json"}, f"api.{function} takes {types}: declare its shape"


def test_a_column_added_to_a_view_reaches_the_api_and_its_document(admin, database_url, make_tenant, test_config):
    definition = admin.execute("select pg_get_viewdef('api.leads'::regclass)").fetchone()[0].rstrip().rstrip(";")
    columns, _, rest = definition.partition("FROM")
    admin.execute(f"create or replace view api.leads as {columns.rstrip()}, 'probe'::app.label as probe FROM{rest}")
    app = create_app(test_config)
    try:
        t = make_tenant("sales")
        client = app.test_client()
        login = {"tenant": t.slug, "email": t.email("sales"), "password": PASSWORD}
        h = {"Authorization": "Bearer " + client.post("/api/v1/auth/token", json=login).get_json()["accessToken"]}
        made = client.post("/api/v1/leads", headers=h, json={"name": "L", "source": "web"})
        assert made.status_code == 201 and made.get_json()["data"]["probe"] == "probe"
        lead = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Lead"]
        assert lead["properties"]["probe"]["maxLength"] == 200
    finally:
        close_pool(app)
        admin.execute("drop view api.leads")
        apply_repeatable(database_url)  # the view as db/views declares it, with its owner and grants
