"""Leads: view api.leads, functions api.create_lead / api.update_lead."""

from uuid import UUID

from flask import Blueprint

from service.api.registry import operation
from service.api.rows import one, page, payload
from service.api.sales_models import Lead, LeadCreate, LeadPatch, LeadQuery
from service.db import transaction

bp = Blueprint("leads", __name__, url_prefix="/api/v1")


@operation(bp, "/leads", "GET", "List leads", query=LeadQuery, response=Lead, paged=True)
def list_leads(identity, query: LeadQuery):
    filters = [(f"{c} = %s", v) for c, v in [("status", query.status), ("client_id", query.customer_id)] if v]
    with transaction(identity) as conn:
        return page(conn, "leads", filters, query, "created_at desc, id")


@operation(bp, "/leads", "POST", "Create a lead", body=LeadCreate, response=Lead, status=201)
def create_lead(identity, body: LeadCreate):
    with transaction(identity) as conn:
        new_id = conn.execute("select api.create_lead(%s) as id", [payload(body)]).fetchone()["id"]
        return one(conn, "leads", new_id, "lead")


@operation(bp, "/leads/<uuid:lead_id>", "GET", "Get a lead", response=Lead)
def get_lead(identity, lead_id: UUID):
    with transaction(identity) as conn:
        return one(conn, "leads", lead_id, "lead")


@operation(bp, "/leads/<uuid:lead_id>", "PATCH", "Change a lead", body=LeadPatch, response=Lead)
def update_lead(identity, lead_id: UUID, body: LeadPatch):
    with transaction(identity) as conn:
        conn.execute("select api.update_lead(%s, %s)", [lead_id, payload(body)])
        return one(conn, "leads", lead_id, "lead")
