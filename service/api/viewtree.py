"""Which columns of a view are never null, from the view's stored query tree (pg_rewrite.ev_action): PostgreSQL
calls every view column nullable, but a NOT NULL table column (not on an outer join's nullable side), a constant, a
count, an EXISTS, a coalesce or case of non-nulls, or a cast of one, never is. All else stays nullable (safe side)."""

import re

_TOKEN = re.compile(r'[{}()]|\[[^\]]*\]|"(?:[^"\\]|\\.)*"|<>|[^\s{}()]+')
_COUNT = {2147, 2803}  # count(any), count(*)
_CASTS = {"1", "2"}  # funcformat: explicit or implicit cast


def parse(text: str):
    """The node text as nested Python values: a node is a dict (its type under "_"), a list is a list."""
    tokens = _TOKEN.findall(text)
    pos = 0

    def value():
        nonlocal pos
        token = tokens[pos]
        pos += 1
        if token == "{":
            node = {"_": tokens[pos]}
            pos += 1
            while tokens[pos] != "}":
                name, parts = tokens[pos][1:], []
                pos += 1
                # A field is one value, or a length then its bytes (a Const's datum).
                while tokens[pos] != "}" and not tokens[pos].startswith(":"):
                    parts.append(value())
                node[name] = parts[0] if len(parts) == 1 else parts or None
            pos += 1
            return node
        if token == "(":
            items = []
            while tokens[pos] != ")":
                items.append(value())
            pos += 1
            return items
        return token

    return value()


class Nullability:
    """Answers not_null(view oid, attnum), reading each view's tree once."""

    def __init__(self, trees: dict[int, str], table_not_null: set[tuple[int, int]]):
        self._trees, self._table_not_null = trees, table_not_null
        self._queries: dict[int, dict] = {}

    def not_null(self, view: int, attnum: int) -> bool:
        if view not in self._trees:
            return (view, attnum) in self._table_not_null
        if view not in self._queries:
            self._queries[view] = parse(self._trees[view])[0]
        return self._entry(self._queries[view], attnum)

    def _entry(self, query: dict, attnum: int) -> bool:
        entries = [t for t in query["targetList"] or [] if t["resno"] == str(attnum)]
        return bool(entries) and self._expr(entries[0]["expr"], query, _outer_nullable(query["jointree"]))

    def _expr(self, e, query: dict, nullable: set[int]) -> bool:
        kind = e["_"] if isinstance(e, dict) else None
        if kind == "VAR":
            return e["varlevelsup"] == "0" and int(e["varno"]) not in nullable and self._var(e, query, nullable)
        if kind == "CONST":
            return e["constisnull"] == "false"
        if kind in ("RELABELTYPE", "COERCETODOMAIN", "COERCEVIAIO"):
            return self._expr(e["arg"], query, nullable)
        if kind == "FUNCEXPR":
            return e["funcformat"] in _CASTS and self._expr(e["args"][0], query, nullable)
        if kind == "COALESCEEXPR":
            return any(self._expr(a, query, nullable) for a in e["args"])
        if kind == "CASEEXPR":
            results = [w["result"] for w in e["args"]] + [e["defresult"]]
            return all(r is not None and self._expr(r, query, nullable) for r in results)
        if kind == "AGGREF":
            return int(e["aggfnoid"]) in _COUNT
        if kind == "SUBLINK":
            return e["subLinkType"] == "0"  # EXISTS
        return False

    def _var(self, var: dict, query: dict, nullable: set[int]) -> bool:
        rte, attno = query["rtable"][int(var["varno"]) - 1], int(var["varattno"])
        if rte["rtekind"] == "0":  # a relation: a table, or a view to look into
            return self.not_null(int(rte["relid"]), attno)
        if rte["rtekind"] == "1":  # a subquery in FROM
            return self._entry(rte["subquery"], attno)
        if rte["rtekind"] == "2":  # a join's output column: the column it stands for
            return self._expr(rte["joinaliasvars"][attno - 1], query, nullable)
        return False


def _outer_nullable(node, is_nullable: bool = False) -> set[int]:
    """The range-table indexes on the nullable side of an outer join, anywhere in the FROM clause."""
    kind = node["_"] if isinstance(node, dict) else None
    if kind == "RANGETBLREF":
        return {int(node["rtindex"])} if is_nullable else set()
    if kind == "FROMEXPR":
        return {i for item in node["fromlist"] or [] for i in _outer_nullable(item, is_nullable)}
    if kind != "JOINEXPR":
        return set()
    jointype = node["jointype"]  # 0 inner, 1 left, 2 full, 3 right
    found = _outer_nullable(node["larg"], is_nullable or jointype in ("2", "3"))
    found |= _outer_nullable(node["rarg"], is_nullable or jointype in ("1", "2"))
    return found | ({int(node["rtindex"])} if is_nullable or jointype != "0" else set())
