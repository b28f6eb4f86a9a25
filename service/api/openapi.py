"""OpenAPI 3.1 built from the route registry and pydantic's JSON Schema (which is what 3.1 speaks)."""

from flask import Blueprint, jsonify
from pydantic.json_schema import models_json_schema

from service.api.models import Problem
from service.api.registry import OPERATIONS, Operation
from service.auth import TENANT_HEADER

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")
_REF = "#/components/schemas/{model}"
_TENANT_HEADER = {
    "name": TENANT_HEADER,
    "in": "header",
    "required": False,
    "description": "the tenant's slug or id; when sent, it must be the access token's tenant (else 400)",
    "schema": {"type": "string"},
}


def _query_parameters(op: Operation) -> list[dict]:
    if op.query is None:
        return []
    schema = op.query.model_json_schema(by_alias=True)
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema["properties"].items()
    ]


def _operation(op: Operation, refs: dict) -> dict:
    problem = {"application/problem+json": {"schema": refs[(Problem, "serialization")]}}
    responses = {"default": {"description": "a problem", "content": problem}}
    ok = {"description": "OK"}
    if op.response is not None:
        ok["content"] = {"application/json": {"schema": refs[(op.response, "serialization")]}}
    responses[str(op.status)] = ok
    doc = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": [
            {"name": p, "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
            for p in op.path_params
        ]
        + _query_parameters(op),
        "responses": responses,
    }
    if op.body is not None:
        doc["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    if op.auth:
        doc["security"] = [{"bearer": []}]
        doc["parameters"].append(_TENANT_HEADER)
    return doc


def document() -> dict:
    wanted = {(Problem, "serialization")}
    for op in OPERATIONS:
        if op.body is not None:
            wanted.add((op.body, "validation"))
        if op.response is not None:
            wanted.add((op.response, "serialization"))
    refs, defs = models_json_schema(
        sorted(wanted, key=lambda k: (k[0].__name__, k[1])), by_alias=True, ref_template=_REF
    )
    paths: dict = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op, refs)
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
    return jsonify(document())
