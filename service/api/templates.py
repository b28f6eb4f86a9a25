"""Project templates with their stages and tasks: view api.templates, function api.create_template."""

from uuid import UUID

from flask import Blueprint

from service.api.delivery_models import Template, TemplateCreate, TemplateQuery
from service.api.registry import operation
from service.api.rows import one, page, payload
from service.db import transaction

bp = Blueprint("templates", __name__, url_prefix="/api/v1")


@operation(
    bp,
    "/templates",
    "GET",
    "List templates with their stages and tasks",
    query=TemplateQuery,
    response=Template,
    paged=True,
)
def list_templates(identity, query: TemplateQuery):
    filters = [("project_type = %s", query.type)] if query.type else []
    with transaction(identity) as conn:
        return page(conn, "templates", filters, query, "project_type, name, id")


@operation(
    bp,
    "/templates",
    "POST",
    "Create a template with nested stages and tasks",
    body=TemplateCreate,
    response=Template,
    status=201,
)
def create_template(identity, body: TemplateCreate):
    with transaction(identity) as conn:
        new_id = conn.execute("select api.create_template(%s) as id", [payload(body)]).fetchone()["id"]
        return one(conn, "templates", new_id, "template")


@operation(bp, "/templates/<uuid:template_id>", "GET", "Get a template", response=Template)
def get_template(identity, template_id: UUID):
    with transaction(identity) as conn:
        return one(conn, "templates", template_id, "template")
