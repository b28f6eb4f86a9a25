"""Routes that validate with pydantic and answer in the {"data", "meta"} envelope; recorded for OpenAPI."""

import functools
import re
from dataclasses import dataclass, field

from flask import Blueprint, g, request
from pydantic import BaseModel, ConfigDict, create_model
from pydantic.alias_generators import to_camel
from werkzeug.exceptions import BadRequest

from service.auth import authenticate
from service.bodies import refuse_deep_json
from service.errors import Problem


class ApiModel(BaseModel):
    """Responses: camelCase out; extra columns a view gains later are ignored, not an error."""

    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, extra="ignore"
    )


class InModel(ApiModel):
    """Request bodies and queries: only the camelCase names; an unknown field is a mistake worth a 422."""

    model_config = ConfigDict(extra="forbid", validate_by_name=False)


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
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    tag: str
    body: type[InModel] | None = None
    query: type[InModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    auth: bool = True
    path_params: list[str] = field(default_factory=list)


OPERATIONS: list[Operation] = []
_ENVELOPES: dict[tuple[type, bool], type[BaseModel]] = {}
_RULE_VAR = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def envelope(model: type[BaseModel], paged: bool) -> type[BaseModel]:
    key = (model, paged)
    if key not in _ENVELOPES:
        if paged:
            _ENVELOPES[key] = create_model(
                f"{model.__name__}Page", __base__=ApiModel, data=(list[model], ...), meta=(PageMeta, ...)
            )
        else:
            _ENVELOPES[key] = create_model(f"{model.__name__}Document", __base__=ApiModel, data=(model, ...))
    return _ENVELOPES[key]


def _json_body() -> object:
    if not request.is_json:
        raise Problem(415, "Send the body as application/json.")
    # An oversized body raises 413 (not a BadRequest) here and stays a 413; get_json reuses the cached bytes.
    refuse_deep_json(request.get_data(cache=True))
    try:
        return request.get_json()
    except BadRequest as e:
        raise Problem(400, "The request body is not valid JSON.") from e


def _render(result, response: type[BaseModel] | None, enveloped: bool, paged: bool):
    if not enveloped:
        return result.model_dump(mode="json", by_alias=True) if isinstance(result, BaseModel) else result
    model = envelope(response, paged)
    if paged:
        meta = PageMeta(page={"number": result.number, "size": result.size}, total=result.total)
        doc = model(data=result.items, meta=meta)
    else:
        doc = model(data=result)
    return doc.model_dump(mode="json", by_alias=True)


def operation(
    bp: Blueprint,
    rule: str,
    method: str,
    summary: str,
    *,
    body=None,
    query=None,
    response=None,
    status: int = 200,
    auth: bool = True,
    paged: bool = False,
    enveloped: bool = True,
):
    """Register a view; it receives identity=, query= and body= already checked, in that order of checks."""

    def decorate(fn):
        @functools.wraps(fn)
        def view(**kwargs):
            if auth:
                kwargs["identity"] = g.identity = authenticate()
            if query is not None:
                kwargs["query"] = query.model_validate(request.args.to_dict())
            if body is not None:
                kwargs["body"] = body.model_validate(_json_body())
            result = fn(**kwargs)
            if status == 204:
                return "", 204
            return _render(result, response, enveloped, paged), status

        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=view, methods=[method])
        path = (bp.url_prefix or "") + rule
        OPERATIONS.append(
            Operation(
                method=method.lower(),
                operation_id=f"{bp.name}.{fn.__name__}",
                path=_RULE_VAR.sub(lambda m: "{" + to_camel(m[1]) + "}", path),
                summary=summary,
                tag=bp.name,
                body=body,
                query=query,
                response=envelope(response, paged) if response is not None and enveloped else response,
                status=status,
                auth=auth,
                path_params=[to_camel(v) for v in _RULE_VAR.findall(path)],
            )
        )
        return view

    return decorate
