"""Time entries and comments on a task: views api.time_entries / api.comments; the hourly-only, minimum and
invoiced-task rules are the database's (api.log_time, api.update_time_entry, api.delete_time_entry)."""

from uuid import UUID

from flask import Blueprint

from service.api.delivery_models import Comment, CommentCreate, TimeEntry, TimeEntryCreate, TimeEntryPatch
from service.api.models import PageQuery
from service.api.registry import operation
from service.api.rows import one, page, payload
from service.db import transaction

bp = Blueprint("task_work", __name__, url_prefix="/api/v1")


@operation(
    bp,
    "/tasks/<uuid:task_id>/time-entries",
    "GET",
    "A task's time entries",
    query=PageQuery,
    response=TimeEntry,
    paged=True,
)
def list_time_entries(identity, task_id: UUID, query: PageQuery):
    with transaction(identity) as conn:
        one(conn, "tasks", task_id, "task")
        return page(conn, "time_entries", [("task_id = %s", task_id)], query, "work_date, created_at, id")


@operation(
    bp,
    "/tasks/<uuid:task_id>/time-entries",
    "POST",
    "Log time on an hourly task",
    body=TimeEntryCreate,
    response=TimeEntry,
    status=201,
)
def log_time(identity, task_id: UUID, body: TimeEntryCreate):
    with transaction(identity) as conn:
        new_id = conn.execute("select api.log_time(%s, %s) as id", [task_id, payload(body)]).fetchone()["id"]
        return one(conn, "time_entries", new_id, "time entry")


@operation(
    bp,
    "/time-entries/<uuid:entry_id>",
    "PATCH",
    "Change a time entry",
    body=TimeEntryPatch,
    response=TimeEntry,
)
def update_time_entry(identity, entry_id: UUID, body: TimeEntryPatch):
    with transaction(identity) as conn:
        conn.execute("select api.update_time_entry(%s, %s)", [entry_id, payload(body)])
        return one(conn, "time_entries", entry_id, "time entry")


@operation(bp, "/time-entries/<uuid:entry_id>", "DELETE", "Delete a time entry", status=204)
def delete_time_entry(identity, entry_id: UUID):
    with transaction(identity) as conn:
        conn.execute("select api.delete_time_entry(%s)", [entry_id])


@operation(
    bp,
    "/tasks/<uuid:task_id>/comments",
    "GET",
    "A task's comments, oldest first",
    query=PageQuery,
    response=Comment,
    paged=True,
)
def list_comments(identity, task_id: UUID, query: PageQuery):
    with transaction(identity) as conn:
        one(conn, "tasks", task_id, "task")
        return page(conn, "comments", [("task_id = %s", task_id)], query, "created_at, id")


@operation(
    bp,
    "/tasks/<uuid:task_id>/comments",
    "POST",
    "Comment on a task",
    body=CommentCreate,
    response=Comment,
    status=201,
)
def add_comment(identity, task_id: UUID, body: CommentCreate):
    with transaction(identity) as conn:
        new_id = conn.execute("select api.add_comment(%s, %s) as id", [task_id, payload(body)]).fetchone()[
            "id"
        ]
        return one(conn, "comments", new_id, "comment")
