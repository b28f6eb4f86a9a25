"""The embedded storage's signed file URLs (/files/<key>): the signature is the only authority, no token."""

from flask import Blueprint, request, send_file

from service.errors import Problem, own_body_limit
from service.storage import LocalStorage, get_storage

bp = Blueprint("local_files", __name__, url_prefix="/files")


def _local() -> LocalStorage:
    storage = get_storage()
    if not isinstance(storage, LocalStorage):
        raise Problem(404, "Files are not served here; this installation keeps them in S3.")
    return storage


@bp.put("/<path:key>")
@own_body_limit
def upload(key: str):
    storage = _local()
    params = storage.verify("PUT", key, request.args)
    max_size = int(params["max"])
    # The app refuses bodies over 1 MB; an upload may be as large as was signed, and no larger.
    request.max_content_length = max_size
    if request.content_length is not None and request.content_length > max_size:
        raise Problem(413, f"The upload is larger than the declared {max_size} bytes.")
    storage.receive(key, request.stream, max_size)
    return "", 204


@bp.get("/<path:key>")
def download(key: str):
    storage = _local()
    params = storage.verify("GET", key, request.args)
    path = storage.path(key)
    if not path.is_file():
        raise Problem(404, "There is no file under this URL.")
    resp = send_file(
        path, mimetype=params.get("type"), as_attachment=True, download_name=params.get("name") or path.name
    )
    # Served from the API's own origin: never let a browser run an uploaded page as ours.
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "sandbox"
    return resp
