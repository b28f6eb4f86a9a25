"""The kinds of route the declaration (service.api.routes) is made of, and the one handler that serves them.

A List or Get reads an api view; a Call runs an api function, then reads a view (or answers the function's own
result); a Custom route is code for what is neither (sign-in, signed files, Stripe, the ticket PDF). Bodies,
queries and responses are models made from the catalog at first use (service.api.shapes), so a column added to a
view or an argument added to a function reaches the API and its OpenAPI document without a Python change.
"""

import functools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from uuid import UUID

import psycopg
from flask import Flask, Response, current_app, g, request
from psycopg import sql
from psycopg.types.json import Jsonb
from pydantic import BaseModel, Field, create_model
from pydantic.alias_generators import to_pascal
from pydantic_core import to_json
from werkzeug.exceptions import BadRequest

from service.api.catalog import Catalog
from service.api.shapes import Shapes, as_request
from service.auth import authenticate
from service.bodies import refuse_deep_json
from service.db import get_pool, transaction
from service.errors import Problem
from service.portal.auth import identity as portal_identity
from service.wire import ApiModel, InModel, IsoDate, Text

PREFIX = "/api/v1"
PATH_VAR = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


@dataclass
class Embed:
    """A list read with each row: the rows of `view` whose `key` is the row's `on` column, in `order`."""

    view: str
    key: str
    order: str
    on: str = "id"
    where: str = "true"  # a condition every embedded row meets (an order's open approvals)


@dataclass
class Read:
    """A view's row by id with its embedded lists: what a Get answers, and a Call after it has run."""

    view: str
    what: str  # in words, for a 404: "No <what> with id ..."
    embeds: dict[str, Embed] = field(default_factory=dict)
    single: bool = False  # the view's only row for the caller (the tenant's settings, the signed-in user)


@dataclass
class Filter:
    """A query parameter: `sql` holds one %s per use of its value; its type is the view column's, or `kind`."""

    sql: str
    column: str | None = None
    kind: str | None = None  # text or bool, when not a column's type
    default: Any = None
    prepare: Callable = lambda value: value


def eq(column: str) -> Filter:
    return Filter(f"{column} = %s", column)


def before(column: str) -> Filter:
    return Filter(f"{column} < %s", column)


def _contains(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(*columns: str) -> Filter:
    """Part of any of the columns, case-insensitive; % and _ are what they are, not wildcards."""
    return Filter("(" + " or ".join(f"{c}::text ilike %s" for c in columns) + ")", kind="text", prepare=_contains)


ARCHIVED = Filter("(archived_at is not null) = %s", kind="bool", default=False)


@dataclass
class Route:
    name: str  # the operation id (and Flask endpoint), e.g. clients.list_clients
    method: str
    path: str  # a Flask rule under the prefix, e.g. /clients/<uuid:client_id>
    permission: str | None  # what the database asks of the caller (a test holds the two together)
    summary: str
    read: Read | None = None
    call: str | None = None  # an api function; the path's values are its first arguments, in order
    status: int = 200
    filters: dict[str, Filter] = field(default_factory=dict)
    where: tuple[str, ...] = ()  # conditions every listed row meets
    order: str = "id"
    parent: Read | None = None  # a list under a parent that must exist (else 404, not an empty list)
    key: str | None = None  # the result column holding the id to read after a call
    then: Callable | None = None  # (conn, rows, path) -> the answer, in the same transaction
    handler: Callable | None = None  # a Custom route's code: (route, plan, identity, path, body, query)
    calls: tuple[str, ...] = ()  # the api functions a Custom route's code runs
    body: Any = None  # a Custom route's body: a model, or the api function whose arguments make it
    response: Any = None  # a model, or (surface) -> model, when the answer is not the read or the result
    auth: bool = True
    audience: str = "staff"  # staff (the team API's token) or portal (a client contact's session)
    enveloped: bool = True
    paged: bool = False
    prefix: str = PREFIX

    @property
    def params(self) -> list[str]:
        return PATH_VAR.findall(self.path)


def List(name, path, read: Read, permission, summary, **kw) -> Route:  # a kind of route, named like one
    return Route(name, "GET", path, permission, summary, read=read, paged=True, **kw)


def Get(name, path, read: Read, permission, summary, **kw) -> Route:
    return Route(name, "GET", path, permission, summary, read=read, **kw)


def Call(name, method, path, function, permission, summary, **kw) -> Route:
    return Route(name, method, path, permission, summary, call=function, **kw)


def Custom(name, method, path, handler, permission, summary, **kw) -> Route:
    return Route(name, method, path, permission, summary, handler=handler, **kw)


class PageQuery(InModel):
    page_number: int = Field(1, ge=1, le=1_000_000, alias="page[number]")
    page_size: int = Field(25, ge=1, le=100, alias="page[size]")


class PageMeta(ApiModel):
    page: dict[str, int]
    total: int


@dataclass
class Page:
    items: list
    total: int
    number: int
    size: int


@dataclass
class Plan:
    """A route's models and how its body reaches the function: named arguments, and the fields of `p`."""

    body: type | None = None
    query: type | None = None
    response: type | None = None
    arguments: dict[str, Any] = field(default_factory=dict)  # body field -> the argument (catalog Field)
    shape: set[str] | None = None  # the body fields that travel in p


class Surface:
    """Every route's plan, made from one reading of the catalog."""

    def __init__(self, conn, routes: list["Route"]):
        self.catalog = Catalog(conn)
        self.shapes = Shapes(self.catalog)
        self.plans = {r.name: self._plan(r) for r in routes}

    def _plan(self, r: Route) -> Plan:
        plan = Plan(query=self._query(r) if r.paged else None)
        if isinstance(r.body, type):
            plan.body = r.body
        elif function := r.body or r.call:
            self._body(plan, function, len(r.params))
        if r.response is not None:
            plan.response = r.response(self) if not isinstance(r.response, type) else r.response
        elif r.read is not None and r.status != 204 and r.handler is None:
            plan.response = self.read_model(r.read)
        elif isinstance(function := r.call or r.body, str) and (columns := self.catalog.functions[function].returns):
            plan.response = self.shapes.model(to_pascal(function.replace(".", "_")) + "Result", columns, request=False)
        return plan

    def _body(self, plan: Plan, function: str, bound: int) -> None:
        fields = {}
        for a in self.catalog.functions[function].arguments[bound:]:
            if a.name == "p" and a.type.kind == "object":
                plan.shape = set()
                for c in self.catalog.shape_fields(a.type.shape):
                    fields[c.name] = self.shapes.field(as_request(c, a.type), True)
                    plan.shape.add(c.name)
                if len(self.catalog.functions[function].arguments) == bound + 1:
                    plan.body = self.shapes.shape(a.type, True)  # the body is the shape, named after it
                    return
            else:
                fields[a.name.removeprefix("p_")] = self.shapes.field(a, True)
                plan.arguments[a.name.removeprefix("p_")] = a
        if fields:
            plan.body = create_model(to_pascal(function.replace(".", "_")) + "Body", __base__=InModel, **fields)

    def _query(self, r: Route) -> type:
        columns = {c.name: c for c in self.catalog.view_fields(r.read.view)} if r.read else {}
        fields = {}
        for name, f in r.filters.items():
            t = columns[f.column].type if f.column else None
            # A query's words are checked here: compared with a column, a wrong word would only find nothing.
            annotation = Literal[t.words] if t and t.words else self.shapes.annotation(t, True) if t else _KINDS[f.kind]
            fields[name] = (annotation | None if f.default is None else annotation, Field(f.default))
        return create_model(to_pascal(r.name.split(".")[-1]) + "Query", __base__=PageQuery, **fields)

    def read_model(self, read: Read) -> type:
        embeds = {n: (list[self.shapes.view(e.view)], ...) for n, e in read.embeds.items()}
        return self.shapes.view(read.view, embeds)

    def view_model(self, view: str) -> type:
        return self.shapes.view(view)


_KINDS = {"text": Text, "bool": bool, "uuid": UUID, "date": IsoDate, "download_url": Literal["downloadUrl"]}
_BUILDING = threading.Lock()


def surface(app: Flask | None = None) -> Surface:
    app = app or current_app._get_current_object()
    with _BUILDING:
        if "pgpsa_surface" not in app.extensions:
            with get_pool().connection() as conn:
                app.extensions["pgpsa_surface"] = Surface(conn, app.extensions["pgpsa_routes"])
    return app.extensions["pgpsa_surface"]


# Reading views. Each read is sent at once and fetched later (a Later), so that in the request's pipelined
# transaction (service.db) the queries a read needs, the context before them and the COMMIT after them travel in one
# round trip; only a list embedded by a column other than the row's id needs the row first.
Later = Callable[[], Any]


def qualified(name: str) -> sql.Identifier:
    """api.x for a bare name; portal.x (or another schema) when the name says so."""
    return sql.Identifier(*name.split(".", 1)) if "." in name else sql.Identifier("api", name)


def _params(conditions: list[tuple[str, Any]]) -> list:
    return [v for c, v in conditions for _ in range(c.count("%s"))]


@functools.lru_cache(maxsize=2048)
def _select(view: str, where: tuple[str, ...], order: str, limit: int | None, offset: int, note: str) -> bytes:
    """A read's statement text, made once for each shape (view, conditions, order, page) and then reused: composing
    and rendering it for every read took 5-9 % of a page's Python (GET /clients?page[size]=25, its count and its
    rows) and about 1 % of GET /projects/{id}'s, and psycopg parses a text it has seen before from its own cache.
    Values stay parameters, except a page's limit, offset and tenant (see _for_tenant)."""
    query = sql.SQL("{}select * from {} where {} order by {}").format(
        sql.SQL(note), qualified(view), _where(where), sql.SQL(order)
    )
    if limit is not None:  # literals: with LIMIT and OFFSET parameters the planner guesses a tenth of the rows
        query = sql.SQL("{} limit {} offset {}").format(query, sql.Literal(int(limit)), sql.Literal(int(offset)))
    return query.as_bytes(None)


@functools.lru_cache(maxsize=1024)
def _count(view: str, where: tuple[str, ...], note: str) -> bytes:
    query = sql.SQL("{}select count(*) as n from {} where {}").format(sql.SQL(note), qualified(view), _where(where))
    return query.as_bytes(None)


def _where(where: tuple[str, ...]) -> sql.Composable:
    return sql.SQL(" and ").join(map(sql.SQL, where)) if where else sql.SQL("true")


def send_rows(
    conn, view: str, conditions: list, order: str, limit: int | None = None, offset: int = 0, page: bool = False
) -> Later:
    conditions, note = _for_tenant(view, conditions, page)
    query = _select(view, tuple(c for c, _ in conditions), order, limit, offset, note)
    return conn.execute(query, _params(conditions)).fetchall


def rows(conn, view: str, conditions: list, order: str, limit: int | None = None, offset: int = 0) -> list[dict]:
    return send_rows(conn, view, conditions, order, limit, offset)()


def _send_embeds(conn, read: Read, keys: dict[str, list]) -> dict[str, Later]:
    """Each embedded list for the keys it is embedded by: one query per list, whatever the number of rows."""
    return {
        name: send_rows(conn, e.view, [(f"{e.key} = any(%s)", keys[e.on]), (e.where, None)], e.order)
        if keys[e.on] else list
        for name, e in read.embeds.items()
    }


def _attach(read: Read, found: list[dict], lists: dict[str, Later]) -> list[dict]:
    for name, e in read.embeds.items():
        by_key: dict = {}
        for child in lists[name]():
            by_key.setdefault(child[e.key], []).append(child)
        for r in found:
            r[name] = by_key.get(r.get(e.on), [])
    return found


def _keys(read: Read, found: list[dict]) -> dict[str, list]:
    return {e.on: list({r[e.on] for r in found if r.get(e.on) is not None}) for e in read.embeds.values()}


def _missing(read: Read, id_) -> Problem:
    return Problem(404, f"No {read.what} with id {id_}." if id_ is not None else f"No {read.what} here.")


def send_one(conn, read: Read, id_) -> Later:
    """The row with its embedded lists, or a 404, when fetched; rows RLS hides (another tenant's, a task not
    assigned to a designer) are 404 too. A single view's only row, whatever the id."""
    id_ = None if read.single else id_
    found = send_rows(conn, read.view, [("id = %s", id_)] if id_ is not None else [], "1", 2)
    if read.embeds and (id_ is None or any(e.on != "id" for e in read.embeds.values())):
        got = found()  # the lists are keyed by the row's own columns: the row first
        if len(got) != 1:
            raise _missing(read, id_)
        lists = _send_embeds(conn, read, _keys(read, got))
        found = lambda: got  # noqa: E731
    else:
        lists = _send_embeds(conn, read, {"id": [id_]}) if read.embeds else {}

    def fetch() -> dict:
        got = found()
        if len(got) != 1:
            raise _missing(read, id_)
        return _attach(read, got, lists)[0]

    return fetch


def one(conn, read: Read, id_) -> dict:
    """The row with its embedded lists, or a 404."""
    return send_one(conn, read, id_)()


def _for_tenant(view: str, conditions: list, page: bool) -> tuple[list, str]:
    """A read's conditions with the request's tenant named, and a comment its statement's text starts with.

    Each policy tests `tenant_id = <the tenant the session says>`, an expression PostgreSQL evaluates once a row in a
    scan (0.3-0.5 us: settings read, a uuid parsed; a seq scan of 50,000 clients took 2.9x the RLS-bypassed scan).
    Named in a view's tenant_id too, the tenant joins those tests in one equivalence class: the planner keeps the
    named value as the row test (a constant, or a parameter) and checks the policies' expressions against it once,
    as a one-time filter (make bench-rls). The policies still decide: naming another tenant reads nothing.

    A page's plan depends on the tenant's size, and a prepared statement keeps the plan it was first given for every
    later tenant on that connection (a first page of 10,000 orders took 83 ms with the plan made for a tenant of 100,
    1.7 ms with its own: make bench-views). So a page names the tenant in its text, each tenant its own statement and
    plan: as a literal, or in a comment on a view without tenant_id (the portal's). A read by id or by parent has the
    same plan whatever the tenant: a parameter, one statement for every tenant."""
    tenant = getattr(g.get("identity"), "tenant_id", None)
    if tenant is None:
        return conditions, ""
    tenant = str(UUID(str(tenant)))  # re-parsed: only a uuid's characters reach the statement
    if view in surface().catalog.tenant_keyed:
        return [*conditions, (f"tenant_id = '{tenant}'", None) if page else ("tenant_id = %s", tenant)], ""
    return conditions, f"/* tenant {tenant} */ " if page else ""


def send_page(conn, r: Route, query, path: dict) -> Later:
    conditions = [(c, None) for c in r.where] + [(f"{p} = %s", v) for p, v in path.items()]
    for name, f in r.filters.items():
        if (value := getattr(query, name)) is not None:
            conditions.append((f.sql, f.prepare(value)))
    counted, note = _for_tenant(r.read.view, conditions, page=True)
    total = conn.execute(_count(r.read.view, tuple(c for c, _ in counted), note), _params(counted)).fetchone
    size, number = query.page_size, query.page_number
    found = send_rows(conn, r.read.view, conditions, r.order, size, (number - 1) * size, page=True)
    if r.read.embeds:
        items = found()
        lists = _send_embeds(conn, r.read, _keys(r.read, items))
        return lambda: Page(_attach(r.read, items, lists), total()["n"], number, size)
    return lambda: Page(found(), total()["n"], number, size)


def page(conn, r: Route, query, path: dict) -> Page:
    return send_page(conn, r, query, path)()


def call(conn, function: str, plan: Plan, path: dict, body: BaseModel | None) -> list[dict]:
    """The route's function with the path's values first, then the body's named arguments and its shape as p."""
    values = list(path.values())
    names = [sql.SQL("%s")] * len(values)
    if body is not None:
        sent = body.model_dump(mode="json", exclude_unset=True)
        for name, a in plan.arguments.items():
            if sent.get(name) is not None:  # left out (or null): the function's default
                names.append(sql.SQL("{} => %s").format(sql.Identifier(a.name)))
                values.append(Jsonb(sent[name]) if a.type.kind in ("object", "array", "json") else getattr(body, name))
        if plan.shape is not None:
            names.append(sql.SQL("p => %s"))
            values.append(Jsonb({k: v for k, v in sent.items() if k in plan.shape}))
    query = sql.SQL("select * from {}({})").format(qualified(function), sql.SQL(", ").join(names))
    try:
        return conn.execute(query, values).fetchall()
    except psycopg.Error as e:
        e.api_field = e.diag.column_name or _argument_of(plan, e.diag)
        raise


def _argument_of(plan: Plan, diag) -> str | None:
    """The body field whose argument's domain refused its value (a domain error names the type, not the field)."""
    if not diag.datatype_name:
        return None
    domain = f"{diag.schema_name}.{diag.datatype_name}"
    fields = [f for f, a in plan.arguments.items() if a.type.name == domain]
    return fields[0] if len(fields) == 1 else None


def serve(r: Route, plan: Plan, identity, path: dict, body, query):
    """A List, Get or Call in one transaction. What it reads is fetched after the COMMIT, which goes out with the
    reads: a List or a Get is one round trip, a Call two (its function's answer names the row to read)."""
    ids = list(path.values())
    with transaction(identity) as conn:
        parent = send_one(conn, r.parent, ids[0]) if r.parent is not None else None
        if r.paged:
            answer = send_page(conn, r, query, path)
        elif r.call is None:
            answer = send_one(conn, r.read, ids[-1] if ids else None)
        else:
            if parent is not None:
                parent()  # a missing parent is a 404 before the function runs
                parent = None
            result = call(conn, r.call, plan, path, body)
            if r.then is not None:
                return r.then(conn, result, path, body)
            if r.read is None or r.status == 204:
                return result[0] if result and plan.response else None
            row = result[0]
            id_ = row[r.key] if r.key else next(iter(row.values()))
            answer = send_one(conn, r.read, id_ if isinstance(id_, UUID) else (ids[-1] if ids else None))
    if parent is not None:
        parent()
    return answer()


# Flask.
def _json_body() -> object:
    if not request.is_json:
        raise Problem(415, "Send the body as application/json.")
    # An oversized body raises 413 (not a BadRequest) here and stays a 413; get_json reuses the cached bytes.
    refuse_deep_json(request.get_data(cache=True))
    try:
        return request.get_json()
    except BadRequest as e:
        raise Problem(400, "The request body is not valid JSON.") from e


def render(result, model: type | None, enveloped: bool, paged: bool):
    """The answer's JSON. Rows go through the route's response model and out as JSON in one step (pydantic_core's
    serializer), not through Python dicts and json.dumps: GET /projects/{id} spent about a sixth of its Python there
    (make bench-api with PROFILE). Only an answer with no model (a handler's own dict) takes Flask's way."""
    if paged:
        items = [model.model_validate(i) for i in result.items]
        meta = {"page": {"number": result.number, "size": result.size}, "total": result.total}
        return _json({"data": items, "meta": meta})
    if model is not None and not isinstance(result, BaseModel):
        result = model.model_validate(result)
    if not isinstance(result, BaseModel):
        return {"data": result} if enveloped else result
    return _json({"data": result} if enveloped else result)


def _json(value) -> Response:
    return current_app.response_class(to_json(value, by_alias=True) + b"\n", mimetype="application/json")


def register(app: Flask, routes: list[Route]) -> None:
    """Every route becomes a Flask view; its models are made from the catalog at the first request."""
    assert len({r.name for r in routes}) == len(routes), "two routes with one name"
    app.extensions["pgpsa_routes"] = routes
    for r in routes:

        def view(_r=r, **path):
            plan = surface().plans[_r.name]
            who = portal_identity if _r.audience == "portal" else authenticate
            identity = g.identity = who() if _r.auth else None
            query = plan.query.model_validate(request.args.to_dict()) if plan.query else None
            body = plan.body.model_validate(_json_body()) if plan.body else None
            result = (_r.handler or serve)(_r, plan, identity, path, body, query)
            if _r.status == 204:
                return "", 204
            if not _r.enveloped and not isinstance(result, dict | BaseModel):
                return result  # the handler's own response (a PDF)
            answer = render(result, plan.response, _r.enveloped, _r.paged)
            if isinstance(answer, Response):
                answer.status_code = _r.status
                return answer
            return answer, _r.status

        app.add_url_rule(r.prefix + r.path, endpoint=r.name, view_func=view, methods=[r.method])
