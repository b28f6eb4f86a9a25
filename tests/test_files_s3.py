"""Files on S3, against moto's real S3 server: presigned POST limits (decoded from the policy, since moto
enforces none), upload and confirm with the real checksum, the 50 MB limit on confirm, logged downloads."""

import base64
import datetime as dt
import hashlib
import json

import boto3
import pytest
import requests
from botocore.config import Config
from delivery_support import make_project, ok, task_named
from moto.server import ThreadedMotoServer
from net_support import free_port

from service import create_app
from service.db import close_pool

BUCKET = "pgpsa-test-files"
LIMIT = 52_428_800


@pytest.fixture(scope="module")
def s3_endpoint():
    with pytest.MonkeyPatch.context() as mp:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            mp.setenv(name, value)
        mp.delenv("AWS_PROFILE", raising=False)
        port = free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()


@pytest.fixture(scope="module")
def s3(s3_endpoint):
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture(scope="module")
def s3_client(s3, s3_endpoint, test_config):
    app = create_app(
        {**test_config, "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": s3_endpoint, "S3_REGION": "us-east-1"}
    )
    yield app.test_client()
    close_pool(app)


@pytest.fixture
def project(s3_client, make_tenant, login):
    t = make_tenant("manager")
    headers = login(t, "manager")
    return t, headers, make_project(s3_client, headers)


def start_upload(client, headers, project, **body) -> dict:
    body = {"fileName": "proof.pdf", "contentType": "application/pdf", "size": 1000, **body}
    return ok(client.post(f"/api/v1/projects/{project['id']}/files", headers=headers, json=body), 201)


def key_of(admin, file_id) -> str:
    return admin.execute("select storage_key from app.files where id = %s", [file_id]).fetchone()[0]


def test_presigned_post_limits_size_and_expires_in_ten_minutes(s3_client, project):
    _, h, p = project
    upload = start_upload(s3_client, h, p, size=12345)
    assert upload["method"] == "POST" and upload["expiresIn"] == 600 and upload["headers"] is None
    policy = json.loads(base64.b64decode(upload["fields"]["policy"]))
    assert ["content-length-range", 1, 12345] in policy["conditions"]
    assert {"Content-Type": "application/pdf"} in policy["conditions"]
    expires = dt.datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    left = (expires - dt.datetime.now(dt.UTC)).total_seconds()
    assert 590 <= left <= 600


def test_upload_confirm_download_and_delete(s3_client, s3, project, admin, count):
    t, h, p = project
    content = b"%PDF-1.7 proof " * 50
    upload = start_upload(s3_client, h, p, size=len(content))
    sent = requests.post(
        upload["uploadUrl"], data=upload["fields"], files={"file": ("proof.pdf", content)}, timeout=10
    )
    assert sent.status_code in (200, 201, 204), sent.text
    confirmed = ok(s3_client.post(f"/api/v1/files/{upload['fileId']}/confirm", headers=h))
    assert confirmed["state"] == "available" and confirmed["sizeBytes"] == len(content)
    assert confirmed["checksumSha256"] == hashlib.sha256(content).hexdigest()

    listing = ok(s3_client.get(f"/api/v1/projects/{p['id']}/files?include=downloadUrl", headers=h))
    assert [f["id"] for f in listing] == [upload["fileId"]]
    fetched = requests.get(listing[0]["downloadUrl"], timeout=10)
    assert fetched.status_code == 200 and fetched.content == content
    assert "attachment" in fetched.headers.get("Content-Disposition", "")
    assert count("file_access_logs", t) == 1
    # Without include, no URL is signed and nothing is logged.
    assert ok(s3_client.get(f"/api/v1/projects/{p['id']}/files", headers=h))[0]["downloadUrl"] is None
    assert count("file_access_logs", t) == 1

    ok(s3_client.delete(f"/api/v1/files/{upload['fileId']}", headers=h), 204)
    assert (
        admin.execute("select state from app.files where id = %s", [upload["fileId"]]).fetchone()[0]
        == "deleted"
    )
    assert ok(s3_client.get(f"/api/v1/projects/{p['id']}/files?include=downloadUrl", headers=h)) == []
    assert count("file_access_logs", t) == 1
    with pytest.raises(s3.exceptions.ClientError):
        s3.head_object(Bucket=BUCKET, Key=key_of(admin, upload["fileId"]))


def test_an_object_over_50_mb_declared_smaller_is_refused_removed_and_forgotten(
    s3_client, s3, project, admin, count, problem
):
    t, h, p = project
    task_id = task_named(p, "Design proof")["id"]
    upload = start_upload(s3_client, h, p, size=1000, taskId=task_id)
    key = key_of(admin, upload["fileId"])
    # moto enforces no content-length-range, so a real over-limit object is put straight under the key.
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"\0" * (LIMIT + 1))
    body = problem(s3_client.post(f"/api/v1/files/{upload['fileId']}/confirm", headers=h), 413)
    assert body["code"] == "PT413" and "50 MB" in body["detail"]
    with pytest.raises(s3.exceptions.ClientError) as gone:
        s3.head_object(Bucket=BUCKET, Key=key)
    assert gone.value.response["Error"]["Code"] in ("404", "NoSuchKey")
    assert count("files", t) == 0


def test_declared_task_attachment_over_50_mb_is_refused_up_front(s3_client, project, count, problem):
    t, h, p = project
    body = {"fileName": "huge.tif", "size": LIMIT + 1, "taskId": task_named(p, "Design proof")["id"]}
    answer = problem(s3_client.post(f"/api/v1/projects/{p['id']}/files", headers=h, json=body), 413)
    assert answer["code"] == "PT413"
    assert count("files", t) == 0


def test_confirm_before_upload_and_twice(s3_client, s3, project, admin, problem):
    _, h, p = project
    upload = start_upload(s3_client, h, p)
    problem(s3_client.post(f"/api/v1/files/{upload['fileId']}/confirm", headers=h), 409)
    s3.put_object(Bucket=BUCKET, Key=key_of(admin, upload["fileId"]), Body=b"x" * 10)
    ok(s3_client.post(f"/api/v1/files/{upload['fileId']}/confirm", headers=h))
    problem(s3_client.post(f"/api/v1/files/{upload['fileId']}/confirm", headers=h), 409)
