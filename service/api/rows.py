"""Reading api views by name for every blueprint: one row, a page, or every row of a parent."""

from uuid import UUID

from psycopg import sql
from psycopg.types.json import Jsonb

from service.api.registry import Page
from service.errors import Problem

Filters = list[tuple[str, object]]


def _where(filters: Filters) -> tuple[sql.Composable, list]:
    """Each filter is (SQL condition, the value for every %s in it); no filters means every visible row."""
    where = sql.SQL(" and ").join(sql.SQL(cond) for cond, _ in filters) if filters else sql.SQL("true")
    return where, [v for cond, v in filters for _ in range(cond.count("%s"))]


def page(conn, view: str, filters: Filters, query, order: str) -> Page:
    where, params = _where(filters)
    table = sql.Identifier("api", view)
    total = conn.execute(
        sql.SQL("select count(*) as n from {} where {}").format(table, where), params
    ).fetchone()
    size, number = query.page_size, query.page_number
    rows = conn.execute(
        sql.SQL("select * from {} where {} order by {} limit %s offset %s").format(
            table, where, sql.SQL(order)
        ),
        [*params, size, (number - 1) * size],
    ).fetchall()
    return Page(items=rows, total=total["n"], number=number, size=size)


def every(conn, view: str, filters: Filters, order: str) -> list[dict]:
    where, params = _where(filters)
    query = sql.SQL("select * from {} where {} order by {}").format(
        sql.Identifier("api", view), where, sql.SQL(order)
    )
    return conn.execute(query, params).fetchall()


def one(conn, view: str, id_, what: str) -> dict:
    """The row, or a 404; rows RLS hides (another tenant's, a task not assigned to a designer) are 404 too."""
    row = conn.execute(
        sql.SQL("select * from {} where id = %s").format(sql.Identifier("api", view)), [id_]
    ).fetchone()
    if row is None:
        raise Problem(404, f"No {what} with id {id_}.")
    return row


def payload(model, renames: dict[str, str] | None = None, **extra) -> Jsonb:
    """The fields the caller sent, in the database's snake_case (renamed where the HTTP name differs)."""
    data = model.model_dump(mode="json", exclude_unset=True)
    for http_name, db_name in (renames or {}).items():
        if http_name in data:
            data[db_name] = data.pop(http_name)
    data.update({k: str(v) if isinstance(v, UUID) else v for k, v in extra.items()})
    return Jsonb(data)
