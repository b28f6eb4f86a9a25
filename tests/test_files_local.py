"""Files in the embedded local storage: HMAC-signed upload and download URLs, refused when tampered with,
expired or over the declared size."""

import hashlib
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from delivery_support import make_project, ok

from service import create_app
from service.db import close_pool


@pytest.fixture(scope="module")
def local_app(test_config, tmp_path_factory):
    app = create_app({**test_config, "STORAGE_DIR": str(tmp_path_factory.mktemp("storage"))})
    yield app
    close_pool(app)


@pytest.fixture
def web(local_app):
    return local_app.test_client()


@pytest.fixture
def project(web, make_tenant, login):
    t = make_tenant("manager")
    headers = login(t, "manager")
    return t, headers, make_project(web, headers)


def start_upload(web, headers, project, size) -> dict:
    body = {"fileName": "brief notes.txt", "contentType": "text/plain", "size": size}
    return ok(web.post(f"/api/v1/projects/{project['id']}/files", headers=headers, json=body), 201)


def local_path(url: str) -> str:
    """The path and query of a signed URL, for the test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def with_param(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | {k: str(v) for k, v in changes.items()}
    return f"{parts.path}?{urlencode(query)}"


def test_signed_round_trip(web, project, count):
    t, h, p = project
    content = b"brief: bigger logo\n" * 100
    upload = start_upload(web, h, p, len(content))
    assert upload["method"] == "PUT" and upload["expiresIn"] == 600 and upload["fields"] is None
    put = web.put(local_path(upload["uploadUrl"]), data=content, headers=upload["headers"])
    assert put.status_code == 204, put.get_data(as_text=True)
    confirmed = ok(web.post(f"/api/v1/files/{upload['fileId']}/confirm", headers=h))
    assert (
        confirmed["state"] == "available"
        and confirmed["checksumSha256"] == hashlib.sha256(content).hexdigest()
    )

    listing = ok(web.get(f"/api/v1/projects/{p['id']}/files?include=downloadUrl", headers=h))
    got = web.get(local_path(listing[0]["downloadUrl"]))
    assert got.status_code == 200 and got.data == content
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert count("file_access_logs", t) == 1
    # Write-once: the signed upload cannot replace a file after it was confirmed.
    again = web.put(local_path(upload["uploadUrl"]), data=b"swapped", headers=upload["headers"])
    assert again.status_code == 409


def test_tampered_and_expired_urls_are_403(web, project, problem):
    _, h, p = project
    upload = start_upload(web, h, p, 10)
    url = upload["uploadUrl"]
    expires = int(parse_qs(urlsplit(url).query)["expires"][0])
    for tampered in (
        with_param(url, max=10_000_000),  # a bigger size than was signed
        with_param(url, expires=expires + 3600),  # a later expiry than was signed
        with_param(url, signature="0" * 64),
        with_param(url, extra="1"),
    ):
        problem(web.put(tampered, data=b"x" * 10), 403)
    problem(web.get(local_path(url)), 403)  # an upload signature does not download

    upload = start_upload(web, h, p, 10)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(time, "time", lambda: expires + 601)
        body = problem(web.put(local_path(upload["uploadUrl"]), data=b"x" * 10), 403)
    assert "expired" in body["detail"]


def test_a_body_over_the_declared_size_is_refused(web, project, problem):
    _, h, p = project
    upload = start_upload(web, h, p, 10)
    problem(web.put(local_path(upload["uploadUrl"]), data=b"x" * 11), 413)
    problem(web.post(f"/api/v1/files/{upload['fileId']}/confirm", headers=h), 409)  # nothing was stored
    assert web.put(local_path(upload["uploadUrl"]), data=b"x" * 10).status_code == 204


def test_an_upload_over_the_apps_json_limit_is_accepted_up_to_its_signed_size(web, project):
    _, h, p = project
    content = b"y" * (3 * 1024 * 1024)  # the app refuses JSON bodies over 1 MB, not signed uploads
    upload = start_upload(web, h, p, len(content))
    assert web.put(local_path(upload["uploadUrl"]), data=content).status_code == 204
    assert ok(web.post(f"/api/v1/files/{upload['fileId']}/confirm", headers=h))["sizeBytes"] == len(content)


def test_a_download_needs_files_read_and_only_it(web, make_tenant, login, admin, count, problem):
    t = make_tenant("manager", "production", "designer")
    m = login(t, "manager")
    p = make_project(web, m)
    upload = start_upload(web, m, p, 5)
    assert web.put(local_path(upload["uploadUrl"]), data=b"brief", headers=upload["headers"]).status_code == 204
    ok(web.post(f"/api/v1/files/{upload['fileId']}/confirm", headers=m))
    url = f"/api/v1/projects/{p['id']}/files?include=downloadUrl"
    # Production holds files:read but not files:write: it downloads (and the download is logged).
    listing = ok(web.get(url, headers=login(t, "production")))
    assert listing[0]["downloadUrl"] and count("file_access_logs", t) == 1
    # A designer whose files:read is revoked holds files:write still, and gets no signed URL at all.
    admin.execute(
        "insert into app.user_permissions (tenant_id, user_id, permission, granted)"
        " values (%s, %s, 'files:read', false)",
        [t.id, t.users["designer"][0]],
    )
    body = problem(web.get(url, headers=login(t, "designer")), 403)
    assert "files:read" in body["detail"]
    assert count("file_access_logs", t) == 1
    # Without include=downloadUrl the listing (metadata, projects:read) is theirs to see.
    assert ok(web.get(f"/api/v1/projects/{p['id']}/files", headers=login(t, "designer")))[0]["fileName"]
