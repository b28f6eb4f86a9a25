"""pydantic models made from the catalog (service.api.catalog): what validates a request and renders a response,
and so what the OpenAPI document says. Each model is made once and named after what it describes."""

import re
from dataclasses import replace
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, create_model
from pydantic.alias_generators import to_pascal

from service.api.catalog import Catalog, Type
from service.api.catalog import Field as Column
from service.wire import ApiModel, InModel, IsoDate, IsoDateTime, Measure, Money, Number, Text

_INT_RANGE = {"pg_catalog.int2": 2**15, "pg_catalog.int4": 2**31, "pg_catalog.int8": 2**63}
_IN = {"uuid": UUID, "bool": bool, "number": Number, "money": Number, "date": IsoDate, "datetime": IsoDateTime}
_OUT = {"uuid": UUID, "bool": bool, "number": Measure, "money": Money}


def singular(name: str) -> str:
    for plural, one in (("ies", "y"), ("sses", "ss"), ("s", "")):
        if name.endswith(plural) and not name.endswith("ss"):
            return name[: -len(plural)] + one
    return name


class Shapes:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._models: dict[str, type] = {}

    def annotation(self, t: Type, request: bool) -> Any:
        if t.kind == "object":
            return self.shape(t, request)
        if t.kind == "array":
            return list[self.annotation(t.items, request)] if t.items else list[Any]
        if t.words and not request:
            return Literal[t.words]
        if t.kind in ("str", "int", "json", "date", "datetime") and not request:
            return {"str": str, "int": int, "json": Any, "date": IsoDate, "datetime": IsoDateTime}[t.kind]
        if t.kind == "str":
            return Text
        if t.kind == "int":
            return int
        if t.kind == "json":
            return dict[str, Any] | list[Any]
        return (_IN if request else _OUT)[t.kind]

    def field(self, c: Column, request: bool) -> tuple:
        """A field, its limits described, not checked: the database checks them, in its words, naming the field."""
        annotation = self.annotation(c.type, request)
        if limits := _limits(c.type):  # on the value's own schema, so that null stays allowed beside it
            annotation = Annotated[annotation, Field(json_schema_extra=limits)]
        if c.nullable:
            annotation = annotation | None
        return annotation, Field(... if c.required else None, description=c.description or c.type.description)

    def model(self, name: str, columns: list[Column], request: bool, doc: str | None = None) -> type:
        if name not in self._models:
            fields = {c.name: self.field(c, request) for c in columns}
            base = InModel if request else ApiModel
            self._models[name] = create_model(name, __base__=base, __doc__=doc, **fields)
        return self._models[name]

    def shape(self, t: Type, request: bool) -> type:
        """A composite type; in a request with its domain's rules (required, not null), named after the domain.
        In a response every key may be missing (a JSON column holds what was stored)."""
        columns = self.catalog.shape_fields(t.shape)
        columns = [as_request(c, t) if request else replace(c, required=False) for c in columns]
        name = to_pascal((t.name if request else t.shape).split(".")[-1].removesuffix("_fields").removesuffix("_json"))
        plain = request and (t.name == t.shape or t.name.endswith("_json"))
        return self.model(name + ("In" if plain else ""), columns, request, t.description)

    def view(self, view: str, embeds: dict | None = None, name: str | None = None) -> type:
        """A response: the view's columns, and the lists embedded with it."""
        base = self.model(to_pascal(singular(view.replace(".", "_"))), self.catalog.view_fields(view), request=False)
        if not embeds:
            return base
        name = name or base.__name__ + "Detail"
        if name not in self._models:
            self._models[name] = create_model(name, __base__=base, **embeds)
        return self._models[name]

    def extend(self, name: str, base: type, **fields) -> type:
        if name not in self._models:
            self._models[name] = create_model(name, __base__=base, **fields)
        return self._models[name]


def as_request(c: Column, t: Type) -> Column:
    return Column(c.name, c.type, c.name in t.required, c.name not in t.required + t.not_null, c.description)


def _limits(t: Type) -> dict | None:
    limits = {"maxLength": t.max_length, "minimum": t.minimum, "maximum": t.maximum, "pattern": _pattern(t.pattern)}
    if t.words:
        limits["enum"] = list(t.words)
    if t.name in _INT_RANGE:  # what the column can hold, unless the domain says less
        column = {"minimum": -_INT_RANGE[t.name], "maximum": _INT_RANGE[t.name] - 1}
        limits = column | {k: v for k, v in limits.items() if v is not None}
    return {k: v for k, v in limits.items() if v is not None} or None


def _pattern(pattern: str | None) -> str | None:
    """A domain's regular expression, if Python reads it the same way (simple ones do); else the database checks."""
    if pattern is None or re.search(r"\[\[:|\\[mMyY]", pattern):
        return None
    try:
        re.compile(pattern)
    except re.error:
        return None
    return pattern
