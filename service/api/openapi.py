"""OpenAPI 3.1 from the route declaration and the models the catalog made (pydantic's JSON Schema is 3.1's)."""

from functools import cache

from flask import Blueprint, current_app, jsonify
from pydantic import BaseModel, create_model
from pydantic.alias_generators import to_camel
from pydantic.json_schema import models_json_schema

from service.api.surface import PATH_VAR, PageMeta, Route, surface
from service.auth import TENANT_HEADER
from service.errors import ProblemModel
from service.wire import ApiModel

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")
Problem = create_model("Problem", __base__=ProblemModel)  # named as the document has always called it
_REF = "#/components/schemas/{model}"
_TENANT_HEADER = {"name": TENANT_HEADER, "in": "header", "required": False, "schema": {"type": "string"},
                  "description": "the tenant's slug or id; when sent, it must be the access token's tenant (else 400)"}


@cache
def _document_model(model: type[BaseModel], enveloped: bool, paged: bool) -> type[BaseModel]:
    """The answer as it travels: the model, or {data, meta} around it."""
    if not enveloped:
        return model
    if paged:
        return create_model(model.__name__ + "Page", __base__=ApiModel, data=(list[model], ...), meta=(PageMeta, ...))
    return create_model(model.__name__ + "Document", __base__=ApiModel, data=(model, ...))


def _parameters(route: Route, query: type | None) -> list[dict]:
    uuid = {"type": "string", "format": "uuid"}
    path = [{"name": to_camel(p), "in": "path", "required": True,
             "schema": uuid if f"<uuid:{p}>" in route.path else {"type": "string"}} for p in route.params]
    schema = query.model_json_schema(by_alias=True) if query else {"properties": {}}
    return path + [{"name": name, "in": "query", "required": name in schema.get("required", []), "schema": prop}
                   for name, prop in schema["properties"].items()]


def _order(wanted: tuple[type[BaseModel], str]) -> tuple[str, ...]:
    """A stable order for the models, so that pydantic numbers two of the same name (an AcceptedDocument around
    the team API's Accepted and one around the portal's) alike in every process and every app: by name, mode, then
    what a document model wraps."""
    model, mode = wanted
    data = model.model_fields.get("data")
    return model.__name__, mode, model.__module__, repr(data.annotation) if data else ""


def document() -> dict:
    s = surface()
    routes = current_app.extensions["pgpsa_routes"]
    plans = {r.name: s.plans[r.name] for r in routes}
    answers = {r.name: _document_model(plans[r.name].response, r.enveloped, r.paged) for r in routes
               if plans[r.name].response}
    wanted = {(Problem, "serialization")} | {(m, "serialization") for m in answers.values()}
    wanted |= {(s.plans[r.name].body, "validation") for r in routes if s.plans[r.name].body}
    refs, defs = models_json_schema(sorted(wanted, key=_order), by_alias=True, ref_template=_REF)
    paths: dict = {}
    for r in routes:
        plan = s.plans[r.name]
        problem = {"application/problem+json": {"schema": refs[(Problem, "serialization")]}}
        ok = {"description": "OK"}
        if r.name in answers:
            ok["content"] = {"application/json": {"schema": refs[(answers[r.name], "serialization")]}}
        elif r.name == "job_tickets.ticket_pdf":
            ok["content"] = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
        op = {
            "operationId": r.name,
            "summary": r.summary,
            "tags": [r.name.split(".")[0]],
            "parameters": _parameters(r, plan.query),
            "responses": {str(r.status): ok, "default": {"description": "a problem", "content": problem}},
        }
        # Where the route's shapes come from, for readers and for the test that holds the two together.
        if function := r.call or (r.body if isinstance(r.body, str) else None):
            op["x-function"] = function if "." in function else f"api.{function}"
        if r.read is not None:
            op["x-view"] = r.read.view if "." in r.read.view else f"api.{r.read.view}"
        if r.permission:
            op["description"] = f"Needs the permission {r.permission}."
            op["x-permission"] = r.permission
        if plan.body is not None:
            body = {"application/json": {"schema": refs[(plan.body, "validation")]}}
            op["requestBody"] = {"required": True, "content": body}
        if r.auth:
            op["security"] = [{"bearer": []}]
            op["parameters"].append(_TENANT_HEADER)
        path = r.prefix + PATH_VAR.sub(lambda m: "{" + to_camel(m[1]) + "}", r.path)
        paths.setdefault(path, {})[r.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "pgpsa team API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    s = surface()  # the document changes only with the catalog, read once per process
    s.document = getattr(s, "document", None) or document()
    return jsonify(s.document)
