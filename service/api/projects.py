"""Projects and their stages: views api.projects / api.stages, functions api.*_project and api.*_stage."""

from uuid import UUID

from flask import Blueprint

from service.api.delivery_models import (
    Project,
    ProjectCreate,
    ProjectDetail,
    ProjectPatch,
    ProjectQuery,
    Stage,
)
from service.api.registry import operation
from service.api.rows import every, one, page, payload
from service.db import transaction

bp = Blueprint("projects", __name__, url_prefix="/api/v1")


def _detail(conn, project_id) -> dict:
    project = one(conn, "projects", project_id, "project")
    by_project = [("project_id = %s", project_id)]
    stages = every(conn, "stages", by_project, "sequence")
    position = {s["id"]: s["sequence"] for s in stages}
    # RLS decides which tasks the caller sees: a designer gets only theirs.
    tasks = every(conn, "tasks", by_project, "sequence, id")
    tasks.sort(key=lambda t: (position.get(t["stage_id"], 0), t["sequence"]))
    approvals = every(conn, "approvals", by_project, "created_at, id")
    return {**project, "stages": stages, "tasks": tasks, "approvals": approvals}


@operation(
    bp,
    "/projects",
    "GET",
    "List projects with their health",
    query=ProjectQuery,
    response=Project,
    paged=True,
)
def list_projects(identity, query: ProjectQuery):
    filters = []
    if query.status:
        filters.append(("status = %s", query.status))
    if query.due_before:
        filters.append(("due_date < %s", query.due_before))
    if query.type:
        filters.append(("project_type = %s", query.type))
    if query.customer_id:
        filters.append(("client_id = %s", query.customer_id))
    with transaction(identity) as conn:
        return page(conn, "projects", filters, query, "due_date nulls last, project_code, id")


@operation(
    bp,
    "/projects",
    "POST",
    "Create a project, from a template or empty",
    body=ProjectCreate,
    response=ProjectDetail,
    status=201,
)
def create_project(identity, body: ProjectCreate):
    with transaction(identity) as conn:
        new_id = conn.execute("select api.create_project(%s) as id", [payload(body)]).fetchone()["id"]
        return _detail(conn, new_id)


@operation(
    bp,
    "/projects/<uuid:project_id>",
    "GET",
    "Get a project with stages, tasks, approvals and health",
    response=ProjectDetail,
)
def get_project(identity, project_id: UUID):
    with transaction(identity) as conn:
        return _detail(conn, project_id)


@operation(
    bp, "/projects/<uuid:project_id>", "PATCH", "Change a project", body=ProjectPatch, response=ProjectDetail
)
def update_project(identity, project_id: UUID, body: ProjectPatch):
    with transaction(identity) as conn:
        conn.execute("select api.update_project(%s, %s)", [project_id, payload(body)])
        return _detail(conn, project_id)


@operation(
    bp,
    "/projects/<uuid:project_id>/stages/<uuid:stage_id>/start",
    "POST",
    "Start a pending stage",
    response=Stage,
)
def start_stage(identity, project_id: UUID, stage_id: UUID):
    with transaction(identity) as conn:
        conn.execute("select api.start_stage(%s, %s)", [project_id, stage_id])
        return one(conn, "stages", stage_id, "stage")


@operation(
    bp,
    "/projects/<uuid:project_id>/stages/<uuid:stage_id>/complete",
    "POST",
    "Complete a stage whose tasks are done; the next stage starts",
    response=Stage,
)
def complete_stage(identity, project_id: UUID, stage_id: UUID):
    with transaction(identity) as conn:
        conn.execute("select api.complete_stage(%s, %s)", [project_id, stage_id])
        return one(conn, "stages", stage_id, "stage")
