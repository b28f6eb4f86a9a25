"""Clients and their contacts: views api.clients / api.contacts, functions api.*_client / api.*_contact."""

from uuid import UUID

from flask import Blueprint

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
from service.api.registry import operation
from service.api.rows import one, page, payload
from service.db import transaction

bp = Blueprint("clients", __name__, url_prefix="/api/v1")


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _archived(query) -> tuple[str, None]:
    return ("archived_at is not null" if query.archived else "archived_at is null", None)


@operation(bp, "/clients", "GET", "List clients", query=ClientQuery, response=Client, paged=True)
def list_clients(identity, query: ClientQuery):
    filters = [_archived(query)]
    if query.q:
        filters.append(("(name ilike %s or account_code ilike %s)", _like(query.q)))
    if query.channel:
        filters.append(("channel = %s", query.channel))
    with transaction(identity) as conn:
        return page(conn, "clients", filters, query, "name, id")


@operation(bp, "/clients", "POST", "Create a client", body=ClientCreate, response=Client, status=201)
def create_client(identity, body: ClientCreate):
    with transaction(identity) as conn:
        new_id = conn.execute("select api.create_client(%s) as id", [payload(body)]).fetchone()["id"]
        return one(conn, "clients", new_id, "client")


@operation(bp, "/clients/<uuid:client_id>", "GET", "Get a client", response=Client)
def get_client(identity, client_id: UUID):
    with transaction(identity) as conn:
        return one(conn, "clients", client_id, "client")


@operation(bp, "/clients/<uuid:client_id>", "PATCH", "Change a client", body=ClientPatch, response=Client)
def update_client(identity, client_id: UUID, body: ClientPatch):
    with transaction(identity) as conn:
        conn.execute("select api.update_client(%s, %s)", [client_id, payload(body)])
        return one(conn, "clients", client_id, "client")


@operation(bp, "/clients/<uuid:client_id>/archive", "POST", "Archive a client", response=Client)
def archive_client(identity, client_id: UUID):
    with transaction(identity) as conn:
        conn.execute("select api.archive_client(%s)", [client_id])
        return one(conn, "clients", client_id, "client")


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
        one(conn, "clients", client_id, "client")  # an unknown client is a 404, not an empty list
        return page(conn, "contacts", filters, query, "name, id")


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
            "select api.create_contact(%s, %s) as id", [client_id, payload(body)]
        ).fetchone()["id"]
        return one(conn, "contacts", new_id, "contact")


@operation(bp, "/contacts/<uuid:contact_id>", "GET", "Get a contact", response=Contact)
def get_contact(identity, contact_id: UUID):
    with transaction(identity) as conn:
        return one(conn, "contacts", contact_id, "contact")


@operation(
    bp, "/contacts/<uuid:contact_id>", "PATCH", "Change a contact", body=ContactPatch, response=Contact
)
def update_contact(identity, contact_id: UUID, body: ContactPatch):
    with transaction(identity) as conn:
        conn.execute("select api.update_contact(%s, %s)", [contact_id, payload(body)])
        return one(conn, "contacts", contact_id, "contact")


@operation(bp, "/contacts/<uuid:contact_id>/archive", "POST", "Archive a contact", response=Contact)
def archive_contact(identity, contact_id: UUID):
    with transaction(identity) as conn:
        conn.execute("select api.archive_contact(%s)", [contact_id])
        return one(conn, "contacts", contact_id, "contact")
