"""Project and task files: the database keeps the metadata and the rules (size limit, states, access log);
storage (service.storage) keeps the bytes and signs the URLs that move them."""

import logging
from uuid import UUID

import psycopg
from flask import Blueprint

from service.api.delivery_models import File, FileCreate, FileQuery, FileUpload
from service.api.registry import operation
from service.api.rows import one, page, payload
from service.db import transaction
from service.errors import Problem
from service.storage import get_storage

bp = Blueprint("files", __name__, url_prefix="/api/v1")
log = logging.getLogger(__name__)


@operation(
    bp,
    "/projects/<uuid:project_id>/files",
    "POST",
    "Start an upload: a file row and a signed upload",
    body=FileCreate,
    response=FileUpload,
    status=201,
)
def create_file(identity, project_id: UUID, body: FileCreate):
    with transaction(identity) as conn:
        row = conn.execute("select * from api.create_file(%s, %s)", [project_id, payload(body)]).fetchone()
    target = get_storage().upload_target(row["storage_key"], body.content_type, body.size)
    return FileUpload(
        file_id=row["file_id"],
        upload_url=target.url,
        method=target.method,
        fields=target.fields or None,
        headers=target.headers or None,
        expires_in=target.expires_in,
    )


@operation(
    bp,
    "/files/<uuid:file_id>/confirm",
    "POST",
    "Confirm an upload: storage's real size and checksum are checked by the database",
    response=File,
)
def confirm_file(identity, file_id: UUID):
    storage = get_storage()
    with transaction(identity) as conn:
        key = one(conn, "files", file_id, "file")["storage_key"]
    # Outside any transaction: reading the object back may take a while and should not hold a connection.
    stored = storage.stat(key)
    if stored is None:
        raise Problem(409, "Nothing has been uploaded for this file yet.", hint="Upload it, then confirm.")
    try:
        with transaction(identity) as conn:
            conn.execute("select api.confirm_file(%s, %s, %s)", [file_id, stored.size, stored.sha256])
            return one(conn, "files", file_id, "file")
    except psycopg.Error as e:
        if e.sqlstate == "PT413":
            # Over the limit: remove the bytes, then the row (the failed transaction wrote nothing).
            storage.delete(key)
            with transaction(identity) as conn:
                conn.execute("select api.discard_file(%s)", [file_id])
        raise


@operation(
    bp,
    "/projects/<uuid:project_id>/files",
    "GET",
    "A project's files; include=downloadUrl signs a download for each available one (logged)",
    query=FileQuery,
    response=File,
    paged=True,
)
def list_files(identity, project_id: UUID, query: FileQuery):
    storage = get_storage()
    with transaction(identity) as conn:
        one(conn, "projects", project_id, "project")
        # A deleted file's row stays for the record (and its access log), but it is no longer the project's.
        filters = [("project_id = %s", project_id), ("state <> 'deleted'", None)]
        result = page(conn, "files", filters, query, "created_at, id")
        if query.include == "downloadUrl":
            for row in result.items:
                if row["state"] == "available":
                    # Logged in the same transaction as the URL is handed out: no URL without its log row.
                    conn.execute("select api.log_file_access(%s)", [row["id"]])
                    row["download_url"] = storage.download_url(
                        row["storage_key"], row["file_name"], row["content_type"]
                    )
        return result


@operation(bp, "/files/<uuid:file_id>", "DELETE", "Delete a file: no more downloads", status=204)
def delete_file(identity, file_id: UUID):
    with transaction(identity) as conn:
        key = one(conn, "files", file_id, "file")["storage_key"]
        conn.execute("select api.delete_file(%s)", [file_id])
    # After the commit, so a refused delete keeps its bytes; a failure here leaves an orphan object, not a
    # downloadable file (the row says deleted, and no URL is signed for it again).
    try:
        get_storage().delete(key)
    except Exception:
        log.exception("file %s is deleted but its object %s could not be removed", file_id, key)
