"""Tasks and their activity: views api.tasks / api.task_activity, functions api.create_task / api.update_task.
Which tasks a caller sees is RLS's answer (a designer: only those assigned to them)."""

from uuid import UUID

from flask import Blueprint

from service.api.delivery_models import Task, TaskActivity, TaskCreate, TaskPatch, TaskQuery
from service.api.models import PageQuery
from service.api.registry import operation
from service.api.rows import one, page, payload
from service.db import transaction

bp = Blueprint("tasks", __name__, url_prefix="/api/v1")


@operation(
    bp, "/tasks", "GET", "List the tasks the caller may see", query=TaskQuery, response=Task, paged=True
)
def list_tasks(identity, query: TaskQuery):
    filters = []
    if query.assignee_id:
        filters.append(("assignee_ids @> array[%s]::uuid[]", query.assignee_id))
    if query.status:
        filters.append(("status = %s", query.status))
    if query.due_before:
        filters.append(("due_date < %s", query.due_before))
    if query.project_id:
        filters.append(("project_id = %s", query.project_id))
    with transaction(identity) as conn:
        return page(conn, "tasks", filters, query, "due_date nulls last, project_id, sequence, id")


@operation(
    bp, "/tasks", "POST", "Create a task in a project stage", body=TaskCreate, response=Task, status=201
)
def create_task(identity, body: TaskCreate):
    with transaction(identity) as conn:
        new_id = conn.execute("select api.create_task(%s) as id", [payload(body)]).fetchone()["id"]
        return one(conn, "tasks", new_id, "task")


@operation(bp, "/tasks/<uuid:task_id>", "GET", "Get a task", response=Task)
def get_task(identity, task_id: UUID):
    with transaction(identity) as conn:
        return one(conn, "tasks", task_id, "task")


@operation(
    bp, "/tasks/<uuid:task_id>", "PATCH", "Change a task's status or fields", body=TaskPatch, response=Task
)
def update_task(identity, task_id: UUID, body: TaskPatch):
    with transaction(identity) as conn:
        conn.execute("select api.update_task(%s, %s)", [task_id, payload(body)])
        return one(conn, "tasks", task_id, "task")


@operation(
    bp,
    "/tasks/<uuid:task_id>/activity",
    "GET",
    "A task's history, oldest first",
    query=PageQuery,
    response=TaskActivity,
    paged=True,
)
def task_activity(identity, task_id: UUID, query: PageQuery):
    with transaction(identity) as conn:
        one(conn, "tasks", task_id, "task")  # an unknown (or hidden) task is a 404, not an empty list
        return page(conn, "task_activity", [("task_id = %s", task_id)], query, "occurred_at, id")
