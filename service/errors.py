"""RFC 9457 problem details for every error, and the X-Request-Id on every response."""

import logging
import re
import uuid
from http import HTTPStatus

import psycopg
from flask import Flask, current_app, g, jsonify, request
from psycopg_pool import PoolTimeout
from pydantic import ValidationError
from pydantic.alias_generators import to_camel
from werkzeug.exceptions import HTTPException

from service.db import UserGone, transaction
from service.wire import ApiModel

log = logging.getLogger(__name__)
PROBLEM_TYPE = "about:blank"
# While the database is away (a restart): 503, and when to try again, in seconds.
RETRY_AFTER = "5"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@-]{1,128}")


class Problem(Exception):
    """An error answered as problem+json; raise it from views."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        code: str | None = None,
        hint: str | None = None,
        headers: dict | None = None,
        **extra,
    ):
        super().__init__(detail)
        self.status, self.detail, self.code, self.hint = status, detail, code, hint
        self.headers = headers or {}
        self.extra = extra


class ProblemModel(ApiModel):
    """RFC 9457 problem details, as every error is answered (for the OpenAPI document)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: str | None = None  # the SQLSTATE, when the database raised it
    hint: str | None = None
    request_id: str
    errors: list[dict] | None = None  # a 422's fields: {pointer, detail, type}


def request_id() -> str:
    if "request_id" not in g:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    return g.request_id


def problem_response(p: Problem):
    body = {
        "type": PROBLEM_TYPE,
        "title": HTTPStatus(p.status).phrase,
        "status": p.status,
        "detail": p.detail,
        "instance": request.path,
        "requestId": request_id(),
    }
    if p.code:
        body["code"] = p.code
    if p.hint:
        body["hint"] = p.hint
    body.update(p.extra)
    resp = jsonify({k: v for k, v in body.items() if v is not None})
    resp.status_code = p.status
    resp.mimetype = "application/problem+json"
    resp.headers.update(p.headers)
    return resp


def _status_for(sqlstate: str) -> int:
    if sqlstate.startswith("PT") and sqlstate[2:].isdigit() and 400 <= int(sqlstate[2:]) <= 599:
        return int(sqlstate[2:])
    if sqlstate in ("23505", "23503", "40001", "40P01"):
        return 409
    # 54000/54001: a value too long to index, or a statement too deep to run: the caller sent too much.
    if sqlstate.startswith("22") or sqlstate in ("23514", "23502", "23P01", "54000", "54001"):
        return 422
    if sqlstate == "42501":
        return 403
    if sqlstate == "P0001":
        return 400
    if sqlstate.startswith("08") or sqlstate.startswith("57P"):
        return 503
    return 500


def _constraint_message(diag) -> str | None:
    """The sentence the schema keeps as a COMMENT on a constraint; read after the failed tx rolled back, once per
    constraint for the app's life, as the surface it serves is read once from the catalog (a refused write cost a
    second transaction each time: 8 % of the app's time under schemathesis)."""
    if not diag.constraint_name:
        return None
    key = (diag.schema_name, diag.table_name, diag.constraint_name)
    known = current_app.extensions.setdefault("pgpsa_constraint_messages", {})
    if key in known:
        return known[key]
    try:
        with transaction() as conn:
            row = conn.execute("select api.constraint_message(%s, %s, %s) as m", key).fetchone()
    except psycopg.Error:
        log.exception("could not read the constraint message")
        return None
    known[key] = row["m"]
    return row["m"]


# PostgreSQL's words for a foreign key naming a row that is not there (not for one still referenced).
_MISSING_PARENT = re.compile(
    r'Key \((?:tenant_id, )?([a-z_]+)\)=\((?:[0-9a-f-]+, )?([^)]*)\) is not present in table "([a-z_]+)"'
)


def _missing_parent(diag) -> Problem | None:
    """A 23503 that names a parent which does not exist (or the caller cannot see) is a 404 in words."""
    found = _MISSING_PARENT.search(diag.message_detail or "")
    if found is None:
        return None
    _, value, table = found.groups()
    singular = table[:-3] + "y" if table.endswith("ies") else table.removesuffix("s")
    return Problem(404, f"No {singular.replace('_', ' ')} with id {value}.", code="23503")


def _too_long_message(diag) -> str:
    """Names the API field whose value overflowed an index (the index's columns, less tenant_id)."""
    fields = []
    if diag.constraint_name:
        try:
            with transaction() as conn:
                rows = conn.execute(
                    "select a.attname as name from pg_index i"
                    " join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace"
                    " join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)"
                    " where n.nspname = %s and c.relname = %s and a.attname <> 'tenant_id' order by a.attnum",
                    (diag.schema_name, diag.constraint_name),
                ).fetchall()
            fields = [to_camel(r["name"]) for r in rows]
        except psycopg.Error:
            log.exception("could not read the index columns")
    where = f" ({', '.join(fields)})" if fields else ""
    return f"A value is too long{where}: shorten it and try again."


def database_problem(e: psycopg.Error) -> Problem:
    state = e.sqlstate
    if state is None:
        # Raised by psycopg before the server saw it, e.g. a NUL character in a text value.
        if isinstance(e, psycopg.DataError):
            return Problem(422, str(e))
        return unreachable()
    status = _status_for(state)
    if status == 500:
        log.error("unmapped database error %s", state, exc_info=e)
        return Problem(500, "An unexpected error occurred.", code=state)
    if status == 503:
        return unreachable(state)
    diag = e.diag
    if state == "23503" and (missing := _missing_parent(diag)) is not None:
        return missing
    detail, hint = diag.message_primary, diag.message_hint
    if state.startswith("23"):
        detail = _constraint_message(diag) or detail
    elif state == "54000":
        # The server's hint (an MD5 index) is advice for a DBA, not for the caller.
        detail, hint = _too_long_message(diag), None
    elif state == "54001":
        detail, hint = "The request is too complex for the database: send less at once.", None
    elif diag.message_detail:
        detail = f"{detail}: {diag.message_detail}"
    errors = None
    if status == 422 and (field := getattr(e, "api_field", None) or diag.column_name):
        # The field the database named (a shape's path like billing_address.city), as the request spelled it.
        pointer = "/" + "/".join(to_camel(part) for part in field.split("."))
        errors = [{"pointer": pointer, "detail": detail, "type": state}]
    return Problem(
        status,
        detail,
        code=state,
        hint=hint,
        headers={"Retry-After": "60"} if status == 429 else None,
        errors=errors,
    )


def unreachable(code: str | None = None) -> Problem:
    """The database is away (restarting, shutting down, not accepting connections yet): try again shortly."""
    return Problem(503, "The database is not reachable.", code=code, headers={"Retry-After": RETRY_AFTER})


def validation_problem(e: ValidationError) -> Problem:
    errors = [
        {"pointer": "/" + "/".join(str(p) for p in err["loc"]), "detail": err["msg"], "type": err["type"]}
        for err in e.errors(include_url=False, include_input=False, include_context=False)
    ]
    return Problem(422, "The request is not valid.", errors=errors)


def own_body_limit(view):
    """Marks a view that sets its own request.max_content_length (signed uploads), so the app's limit skips it."""
    view.own_body_limit = True
    return view


def _refuse_oversized_body() -> None:
    # Checked before any view runs, so routes that read the raw body late (or never) answer 413 too.
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    view = current_app.view_functions.get(request.endpoint or "")
    if limit and (request.content_length or 0) > limit and not getattr(view, "own_body_limit", False):
        raise Problem(413, f"The request body is larger than the limit of {limit} bytes.")


def register(app: Flask) -> None:
    # A before_request function that returns a value would answer the request, so discard it.
    app.before_request(lambda: request_id() and None)
    app.before_request(_refuse_oversized_body)

    @app.after_request
    def _request_id_header(resp):
        resp.headers["X-Request-Id"] = request_id()
        return resp

    app.register_error_handler(Problem, problem_response)
    app.register_error_handler(ValidationError, lambda e: problem_response(validation_problem(e)))
    app.register_error_handler(psycopg.Error, lambda e: problem_response(database_problem(e)))
    app.register_error_handler(PoolTimeout, lambda e: problem_response(unreachable()))
    app.register_error_handler(
        UserGone,
        lambda e: problem_response(
            Problem(
                401,
                "The user of this token no longer exists or is disabled.",
                headers={"WWW-Authenticate": 'Bearer realm="pgpsa", error="invalid_token"'},
            )
        ),
    )

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        headers = {k: v for k, v in e.get_headers() if k.lower() == "allow"}
        return problem_response(Problem(e.code or 500, e.description, headers=headers))

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        log.exception("unhandled error", exc_info=e)
        return problem_response(Problem(500, "An unexpected error occurred."))
