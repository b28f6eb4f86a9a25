"""The api's shapes, read from PostgreSQL's catalog: a view's columns are a response, a function's arguments and
its body's shape (db/migrations/0015_shapes.sql) a request. Domains give limits, patterns, vocabularies and money;
composite types give nested objects; comments give descriptions (and the tags @shape and @internal)."""

import re
from dataclasses import dataclass, replace

from psycopg.rows import dict_row

from service.api.viewtree import Nullability

_LENGTH = re.compile(r"char_length\(\(?VALUE\)?(?:::text)?\) <= (\d+)")
_PATTERN = re.compile(r"VALUE ~ '((?:[^']|'')*)'::")
_WORDS = re.compile(r"VALUE = ANY \('\{([^}]*)\}'::text\[\]\)")
_MIN = re.compile(r"VALUE >= \(?(-?[\d.]+)\)?")
_MAX = re.compile(r"VALUE <= \(?(-?[\d.]+)\)?")
_CONFORMS = re.compile(
    r"internal\.conforms(_each)?\(VALUE, '([a-z_.]+)'::regtype(?:, '\{([^}]*)\}'::text\[\])?(?:, '\{([^}]*)\}')?"
)
_SHAPE_TAG = re.compile(r"\s*@shape (\S+?)(\[\])?(?=\s|$)")
_KINDS = {
    "uuid": "uuid", "int2": "int", "int4": "int", "int8": "int", "numeric": "number", "float8": "number",
    "bool": "bool", "date": "date", "timestamptz": "datetime", "jsonb": "json", "json": "json",
}


@dataclass
class Type:
    """A field's type as the API sees it: str, uuid, int, number, money, bool, date, datetime, json, object, array."""

    kind: str
    name: str = ""  # the SQL type, e.g. app.label
    max_length: int | None = None
    pattern: str | None = None
    words: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    shape: str | None = None  # kind object: the composite type
    items: "Type | None" = None  # kind array
    required: tuple[str, ...] = ()  # kind object, in a request: fields that must be sent
    not_null: tuple[str, ...] = ()  # ... and fields that may be left out but not sent as null
    description: str | None = None


@dataclass
class Field:
    name: str
    type: Type
    required: bool = True
    nullable: bool = True
    description: str | None = None


@dataclass
class Function:
    name: str
    arguments: list[Field]  # required: no default
    returns: list[Field] | None  # the columns of a table result; None for a scalar
    scalar: Type | None
    comment: str | None


class Catalog:
    def __init__(self, conn):
        conn.row_factory = dict_row
        self._types = {r["oid"]: r for r in conn.execute(_TYPES).fetchall()}
        self._by_name = {t["qname"]: t for t in self._types.values()}
        self._attributes: dict[int, list[dict]] = {}
        for r in conn.execute(_ATTRIBUTES).fetchall():
            self._attributes.setdefault(r["relid"], []).append(r)
        views = conn.execute(_VIEWS).fetchall()
        trees = {r["oid"]: r["tree"] for r in views}
        table_not_null = {(r["relid"], r["attnum"]) for r in conn.execute(_NOT_NULL).fetchall()}
        self._nullability = Nullability(trees, table_not_null)
        self.views = {_key(r["schema"], r["name"]): r["oid"] for r in views if r["schema"] in ("api", "portal")}
        # The views a read names its tenant in (service.api.surface._for_tenant): those with a tenant_id column.
        self.tenant_keyed = {v for v, oid in self.views.items() if any(
            a["name"] == "tenant_id" for a in self._attributes.get(oid, []))}
        functions = conn.execute(_FUNCTIONS).fetchall()
        self.functions = {_key(r["schema"], r["name"]): self._function(r) for r in functions}

    def type(self, oid: int, typmod: int = -1) -> Type:
        t = self._types[oid]
        if t["typcategory"] == "A" and t["typelem"]:
            return Type("array", t["qname"], items=self.type(t["typelem"]))
        if t["typtype"] == "c":
            return Type("object", t["qname"], shape=t["qname"], description=t["comment"])
        if t["typtype"] == "d":
            return self._domain(t)
        limit = typmod - 4 if typmod > 4 and t["typname"] in ("varchar", "bpchar") else None
        return Type(_KINDS.get(t["typname"], "str"), t["qname"], max_length=limit, description=t["comment"])

    def _domain(self, t: dict) -> Type:
        base = self.type(t["typbasetype"], t["typtypmod"])
        base = replace(base, name=t["qname"], description=t["comment"] or base.description)
        if t["qname"] == "app.money":
            base.kind = "money"
        for check in t["checks"] or []:
            if m := _CONFORMS.search(check):
                each, shape, required, not_null = m.groups()
                obj = Type("object", t["qname"], shape=shape, description=self._by_name[shape]["comment"])
                obj.required, obj.not_null = _words(required), _words(not_null)
                return Type("array", t["qname"], items=obj) if each else obj
            if m := _LENGTH.search(check):
                base.max_length = int(m[1])
            if m := _PATTERN.search(check):
                base.pattern = m[1].replace("''", "'")
            if m := _WORDS.search(check):
                base.words = _words(m[1])
            if m := _MIN.search(check):
                base.minimum = float(m[1])
            if m := _MAX.search(check):
                base.maximum = float(m[1])
        return base

    def _column(self, a: dict, not_null: bool) -> Field:
        t = self.type(a["typid"], a["typmod"])
        comment = a["comment"] or ""
        if m := _SHAPE_TAG.search(comment):  # a JSON column whose objects have this shape
            obj = Type("object", m[1], shape=m[1], description=self._by_name[m[1]]["comment"])
            t = Type("array", t.name, items=obj) if m[2] else obj
        comment = _SHAPE_TAG.sub("", comment).strip()
        return Field(a["name"], t, nullable=not not_null, description=comment or None)

    def shape_fields(self, qname: str) -> list[Field]:
        """The attributes of a composite type; the request's required and not-null lists are its domain's."""
        attributes = self._attributes.get(self._by_name[qname]["typrelid"], [])
        return [self._column(a, False) for a in attributes if "@internal" not in (a["comment"] or "")]

    def view_fields(self, view: str) -> list[Field]:
        """A view's columns, but those tagged @internal: never null where the view's query says so."""
        oid = self.views[view]
        return [
            self._column(a, self._nullability.not_null(oid, a["attnum"]))
            for a in self._attributes.get(oid, [])
            if "@internal" not in (a["comment"] or "")
        ]

    def _function(self, r: dict) -> Function:
        names, types = r["argnames"] or [], r["argtypes"] or []
        first_default = r["nargs"] - r["ndefaults"]
        arguments = [
            Field(names[i], self.type(types[i]), required=i < first_default, nullable=i >= first_default)
            for i in range(r["nargs"])
        ]
        returns = None
        if r["outnames"]:
            returns = [Field(n, self.type(t)) for n, t in zip(r["outnames"], r["outtypes"], strict=True)]
        scalar = None if returns else self.type(r["rettype"])
        return Function(r["name"], arguments, returns, scalar, r["comment"])


def _key(schema: str, name: str) -> str:
    """An api object by its name, a portal one as portal.name (how routes name them)."""
    return name if schema == "api" else f"{schema}.{name}"


def _words(text: str | None) -> tuple[str, ...]:
    return tuple(w.strip('"') for w in (text or "").split(",") if w)


_TYPES = """
select t.oid, t.typname, n.nspname || '.' || t.typname as qname, t.typtype, t.typcategory, t.typelem,
    t.typbasetype, t.typtypmod, t.typrelid,
    case when n.nspname <> 'pg_catalog' then obj_description(t.oid, 'pg_type') end as comment,
    (select array_agg(pg_get_constraintdef(c.oid) order by c.conname) from pg_constraint as c
     where c.contypid = t.oid) as checks
from pg_type as t join pg_namespace as n on n.oid = t.typnamespace
where n.nspname in ('pg_catalog', 'app', 'api', 'portal', 'extensions')
"""
_ATTRIBUTES = """
select a.attrelid as relid, a.attname as name, a.atttypid as typid, a.atttypmod as typmod, a.attnum,
    col_description(a.attrelid, a.attnum) as comment
from pg_attribute as a join pg_class as c on c.oid = a.attrelid
where c.relnamespace in ('api'::regnamespace, 'portal'::regnamespace) and a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attnum
"""
_NOT_NULL = """
select a.attrelid as relid, a.attnum from pg_attribute as a join pg_class as c on c.oid = a.attrelid
where c.relkind in ('r', 'p') and a.attnotnull and a.attnum > 0
"""
_VIEWS = """
select r.ev_class as oid, r.ev_action as tree, c.relname as name, c.relnamespace::regnamespace::text as schema
from pg_rewrite as r join pg_class as c on c.oid = r.ev_class
where c.relkind = 'v' and c.relnamespace::regnamespace::text in ('api', 'internal', 'bi', 'portal')
"""
_FUNCTIONS = """
select p.proname as name, p.pronamespace::regnamespace::text as schema, p.pronargs as nargs,
    p.pronargdefaults as ndefaults, p.prorettype as rettype,
    p.proargnames[1:p.pronargs] as argnames, p.proargtypes::oid[] as argtypes,
    obj_description(p.oid, 'pg_proc') as comment,
    (select array_agg(p.proargnames[i] order by i) from generate_subscripts(p.proargmodes, 1) as i
     where p.proargmodes[i] = 't') as outnames,
    (select array_agg(p.proallargtypes[i] order by i) from generate_subscripts(p.proargmodes, 1) as i
     where p.proargmodes[i] = 't') as outtypes
from pg_proc as p
where p.pronamespace in ('api'::regnamespace, 'portal'::regnamespace)
"""
