"""Clients and their contacts: views api.clients / api.contacts, functions api.*_client / api.*_contact."""

from uuid import UUID

from flask import Blueprint
from psycopg import sql
from psycopg.types.json import Jsonb

from service.api.models import (
    Client,
    ClientCreate,
    ClientPatch,
    ClientQuery,
    Contact,
    ContactCreate,
    ContactPatch,
    ContactQuery,
)
from service.api.registry import Page, operation
from service.db import transaction
from service.errors import Problem

bp = Blueprint("clients", __name__, url_prefix="/api/v1")


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _page(conn, view: str, filters: list[tuple[str, object]], query) -> Page:
    """One page of an api view, by name; each filter is (SQL condition, value for every %s in it)."""
    where = sql.SQL(" and ").join(sql.SQL(cond) for cond, _ in filters) if filters else sql.SQL("true")
    params = [v for cond, v in filters for _ in range(cond.count("%s"))]
    table = sql.Identifier("api", view)
    count = sql.SQL("select count(*) as n from {} where {}").format(table, where)
    total = conn.execute(count, params).fetchone()["n"]
    size, number = query.page_size, query.page_number
    rows = conn.execute(
        sql.SQL("select * from {} where {} order by name, id limit %s offset %s").format(table, where),
        [*params, size, (number - 1) * size],
    ).fetchall()
    return Page(items=rows, total=total, number=number, size=size)


def _archived(query) -> tuple[str, None]:
    return ("archived_at is not null" if query.archived else "archived_at is null", None)


def _one(conn, view: str, id_: UUID, what: str) -> dict:
    row = conn.execute(
        sql.SQL("select * from {} where id = %s").format(sql.Identifier("api", view)), [id_]
    ).fetchone()
    if row is None:
        raise Problem(404, f"No {what} with id {id_}.")
    return row


def _payload(model) -> Jsonb:
    return Jsonb(model.model_dump(mode="json", exclude_unset=True))


@operation(bp, "/clients", "GET", "List clients", query=ClientQuery, response=Client, paged=True)
def list_clients(identity, query: ClientQuery):
    filters = [_archived(query)]
    if query.q:
        filters.append(("(name ilike %s or account_code ilike %s)", _like(query.q)))
    if query.channel:
        filters.append(("channel = %s", query.channel))
    with transaction(identity) as conn:
        return _page(conn, "clients", filters, query)


@operation(bp, "/clients", "POST", "Create a client", body=ClientCreate, response=Client, status=201)
def create_client(identity, body: ClientCreate):
    with transaction(identity) as conn:
        new_id = conn.execute("select api.create_client(%s) as id", [_payload(body)]).fetchone()["id"]
        return _one(conn, "clients", new_id, "client")


@operation(bp, "/clients/<uuid:client_id>", "GET", "Get a client", response=Client)
def get_client(identity, client_id: UUID):
    with transaction(identity) as conn:
        return _one(conn, "clients", client_id, "client")


@operation(bp, "/clients/<uuid:client_id>", "PATCH", "Change a client", body=ClientPatch, response=Client)
def update_client(identity, client_id: UUID, body: ClientPatch):
    with transaction(identity) as conn:
        conn.execute("select api.update_client(%s, %s)", [client_id, _payload(body)])
        return _one(conn, "clients", client_id, "client")


@operation(bp, "/clients/<uuid:client_id>/archive", "POST", "Archive a client", response=Client)
def archive_client(identity, client_id: UUID):
    with transaction(identity) as conn:
        conn.execute("select api.archive_client(%s)", [client_id])
        return _one(conn, "clients", client_id, "client")


@operation(
    bp,
    "/clients/<uuid:client_id>/contacts",
    "GET",
    "List a client's contacts",
    query=ContactQuery,
    response=Contact,
    paged=True,
)
def list_contacts(identity, client_id: UUID, query: ContactQuery):
    filters = [("client_id = %s", client_id), _archived(query)]
    if query.q:
        filters.append(("(name ilike %s or email::text ilike %s)", _like(query.q)))
    with transaction(identity) as conn:
        _one(conn, "clients", client_id, "client")  # an unknown client is a 404, not an empty list
        return _page(conn, "contacts", filters, query)


@operation(
    bp,
    "/clients/<uuid:client_id>/contacts",
    "POST",
    "Add a contact to a client",
    body=ContactCreate,
    response=Contact,
    status=201,
)
def create_contact(identity, client_id: UUID, body: ContactCreate):
    with transaction(identity) as conn:
        new_id = conn.execute(
            "select api.create_contact(%s, %s) as id", [client_id, _payload(body)]
        ).fetchone()["id"]
        return _one(conn, "contacts", new_id, "contact")


@operation(bp, "/contacts/<uuid:contact_id>", "GET", "Get a contact", response=Contact)
def get_contact(identity, contact_id: UUID):
    with transaction(identity) as conn:
        return _one(conn, "contacts", contact_id, "contact")


@operation(
    bp, "/contacts/<uuid:contact_id>", "PATCH", "Change a contact", body=ContactPatch, response=Contact
)
def update_contact(identity, contact_id: UUID, body: ContactPatch):
    with transaction(identity) as conn:
        conn.execute("select api.update_contact(%s, %s)", [contact_id, _payload(body)])
        return _one(conn, "contacts", contact_id, "contact")


@operation(bp, "/contacts/<uuid:contact_id>/archive", "POST", "Archive a contact", response=Contact)
def archive_contact(identity, contact_id: UUID):
    with transaction(identity) as conn:
        conn.execute("select api.archive_contact(%s)", [contact_id])
        return _one(conn, "contacts", contact_id, "contact")
