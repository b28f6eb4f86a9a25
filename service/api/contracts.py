"""Contracts: templates (the only reusable layer), client-owned contracts, client contracts (assignments, with the
live status the database derives) and contract billing. Views api.contract_templates / api.contracts /
api.client_contracts, functions api.*_contract*; ownership is refused by the database in its own words (409)."""

from uuid import UUID

from flask import Blueprint
from psycopg.types.json import Jsonb

from service.api.contract_models import (
    AssignmentCreate,
    ClientContract,
    ClientContractQuery,
    Contract,
    ContractCreate,
    ContractInvoice,
    ContractInvoiceCreate,
    ContractPatch,
    ContractQuery,
    ContractTemplate,
    ContractTemplateCreate,
    Instantiate,
    Terminate,
)
from service.api.models import PageQuery
from service.api.registry import operation
from service.api.rows import every, one, page, payload
from service.db import transaction

bp = Blueprint("contracts", __name__, url_prefix="/api/v1")


def _call(conn, function: str, *args) -> UUID:
    """An api function that returns the id of what it made or changed (the name is ours, never the caller's)."""
    marks = ", ".join(["%s"] * len(args))
    return conn.execute(f"select api.{function}({marks}) as id", list(args)).fetchone()["id"]


@operation(
    bp, "/contract-templates", "GET", "List contract templates", query=PageQuery, response=ContractTemplate, paged=True
)
def list_contract_templates(identity, query: PageQuery):
    with transaction(identity) as conn:
        return page(conn, "contract_templates", [], query, "name, id")


@operation(
    bp,
    "/contract-templates",
    "POST",
    "Create a contract template with its lines",
    body=ContractTemplateCreate,
    response=ContractTemplate,
    status=201,
)
def create_contract_template(identity, body: ContractTemplateCreate):
    with transaction(identity) as conn:
        new_id = _call(conn, "create_contract_template", payload(body))
        return one(conn, "contract_templates", new_id, "contract template")


@operation(bp, "/contract-templates/<uuid:template_id>", "GET", "Get a contract template", response=ContractTemplate)
def get_contract_template(identity, template_id: UUID):
    with transaction(identity) as conn:
        return one(conn, "contract_templates", template_id, "contract template")


@operation(
    bp,
    "/contract-templates/<uuid:template_id>/instantiate",
    "POST",
    "Make a contract owned by a client, with the template's lines",
    body=Instantiate,
    response=Contract,
    status=201,
)
def instantiate_contract(identity, template_id: UUID, body: Instantiate):
    with transaction(identity) as conn:
        rest = Jsonb(body.model_dump(mode="json", exclude_unset=True, exclude={"client_id"}))
        new_id = _call(conn, "instantiate_contract", template_id, body.client_id, rest)
        return one(conn, "contracts", new_id, "contract")


@operation(bp, "/contracts", "GET", "List contracts (headers)", query=ContractQuery, response=Contract, paged=True)
def list_contracts(identity, query: ContractQuery):
    filters = []
    if query.owner_client_id:
        filters.append(("owner_client_id = %s", query.owner_client_id))
    if query.is_template is not None:
        filters.append(("is_template = %s", query.is_template))
    with transaction(identity) as conn:
        return page(conn, "contracts", filters, query, "name, id")


@operation(
    bp,
    "/contracts",
    "POST",
    "Create a contract with its lines (owned by a client unless it is a template)",
    body=ContractCreate,
    response=Contract,
    status=201,
)
def create_contract(identity, body: ContractCreate):
    with transaction(identity) as conn:
        new_id = _call(conn, "create_contract", payload(body))
        return one(conn, "contracts", new_id, "contract")


@operation(bp, "/contracts/<uuid:contract_id>", "GET", "Get a contract with its lines", response=Contract)
def get_contract(identity, contract_id: UUID):
    with transaction(identity) as conn:
        return one(conn, "contracts", contract_id, "contract")


@operation(
    bp,
    "/contracts/<uuid:contract_id>",
    "PATCH",
    "Change a contract's header: name, description, status, and its terms until it has been billed",
    body=ContractPatch,
    response=Contract,
)
def update_contract(identity, contract_id: UUID, body: ContractPatch):
    with transaction(identity) as conn:
        _call(conn, "update_contract", contract_id, payload(body))
        return one(conn, "contracts", contract_id, "contract")


@operation(
    bp,
    "/contracts/<uuid:contract_id>/assignments",
    "POST",
    "Assign a contract to its owner client for a period (inactive until activated)",
    body=AssignmentCreate,
    response=ClientContract,
    status=201,
)
def assign_contract(identity, contract_id: UUID, body: AssignmentCreate):
    with transaction(identity) as conn:
        # The ownership trigger would call an unknown contract "unowned" (409); it is a 404.
        one(conn, "contracts", contract_id, "contract")
        new_id = _call(conn, "assign_contract", contract_id, payload(body))
        return one(conn, "client_contracts", new_id, "client contract")


@operation(
    bp,
    "/clients/<uuid:client_id>/contracts",
    "GET",
    "List a client's contracts, assignment first, with their live status",
    query=ClientContractQuery,
    response=ClientContract,
    paged=True,
)
def list_client_contracts(identity, client_id: UUID, query: ClientContractQuery):
    filters = [("client_id = %s", client_id)]
    if query.status:
        filters.append(("status = %s", query.status))
    with transaction(identity) as conn:
        one(conn, "clients", client_id, "client")  # an unknown client is a 404, not an empty list
        return page(conn, "client_contracts", filters, query, "start_date desc, id")


@operation(bp, "/client-contracts/<uuid:client_contract_id>", "GET", "Get a client contract", response=ClientContract)
def get_client_contract(identity, client_contract_id: UUID):
    with transaction(identity) as conn:
        return one(conn, "client_contracts", client_contract_id, "client contract")


@operation(
    bp,
    "/client-contracts/<uuid:client_contract_id>/activate",
    "POST",
    "Activate an assignment",
    response=ClientContract,
)
def activate_client_contract(identity, client_contract_id: UUID):
    with transaction(identity) as conn:
        _call(conn, "activate_client_contract", client_contract_id)
        return one(conn, "client_contracts", client_contract_id, "client contract")


@operation(
    bp,
    "/client-contracts/<uuid:client_contract_id>/terminate",
    "POST",
    "Terminate an assignment",
    body=Terminate,
    response=ClientContract,
)
def terminate_client_contract(identity, client_contract_id: UUID, body: Terminate):
    with transaction(identity) as conn:
        # Without an end date the function's own default (today) applies.
        args = [client_contract_id] if body.end_date is None else [client_contract_id, body.end_date]
        _call(conn, "terminate_client_contract", *args)
        return one(conn, "client_contracts", client_contract_id, "client contract")


@operation(
    bp,
    "/client-contracts/<uuid:client_contract_id>/renewal-draft",
    "POST",
    "Copy the assignment's contract as a draft owned by the same client; the assignment is pending renewal",
    response=Contract,
    status=201,
)
def create_renewal_draft(identity, client_contract_id: UUID):
    with transaction(identity) as conn:
        new_id = _call(conn, "create_renewal_draft", client_contract_id)
        return one(conn, "contracts", new_id, "contract")


@operation(
    bp,
    "/client-contracts/<uuid:client_contract_id>",
    "DELETE",
    "Unassign a contract that was never billed",
    status=204,
)
def unassign_client_contract(identity, client_contract_id: UUID):
    with transaction(identity) as conn:
        _call(conn, "unassign_client_contract", client_contract_id)


@operation(
    bp,
    "/clients/<uuid:client_id>/contract-invoices",
    "POST",
    "Bill a client's active contracts for a period into a draft invoice",
    body=ContractInvoiceCreate,
    response=ContractInvoice,
    status=201,
)
def bill_client_contracts(identity, client_id: UUID, body: ContractInvoiceCreate):
    with transaction(identity) as conn:
        one(conn, "clients", client_id, "client")
        # The period travels as arguments; the rest (tax_rate, due_date, notes) in the options the function reads.
        rest = Jsonb(body.model_dump(mode="json", exclude_unset=True, exclude={"period_start", "period_end"}))
        invoice_id = _call(conn, "bill_client_contracts", client_id, body.period_start, body.period_end, rest)
        invoice = one(conn, "invoices", invoice_id, "invoice")
        lines = every(conn, "invoice_lines", [("invoice_id = %s", invoice_id)], "sequence, id")
        return {**invoice, "lines": lines}
