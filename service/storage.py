"""File storage behind one interface: a local folder with HMAC-signed URLs (the embedded default), or S3.

Uploads go straight from the caller to storage through a signed URL that expires after SIGNED_URL_TTL seconds
and admits at most the declared size; the service then reads the real size and SHA-256 back from storage when
the upload is confirmed, so the database judges what was stored, not what the caller claimed.
"""

import hashlib
import hmac
import io
import os
import time
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from flask import current_app, url_for

from service.errors import Problem

_CHUNK = 1024 * 1024
_KEY = "pgpsa_storage"


@dataclass(frozen=True)
class UploadTarget:
    url: str
    method: str  # "PUT" with the raw body (local) or "POST" as a multipart form (S3)
    expires_in: int
    fields: dict[str, str] = field(default_factory=dict)  # form fields to send before the file (S3)
    headers: dict[str, str] = field(default_factory=dict)  # headers to send (local)


@dataclass(frozen=True)
class StoredObject:
    size: int
    sha256: str


class Storage(ABC):
    def __init__(self, ttl: int):
        self.ttl = ttl

    @abstractmethod
    def upload_target(self, key: str, content_type: str, max_size: int) -> UploadTarget:
        """A signed upload that storage refuses when the body is empty or over max_size."""

    @abstractmethod
    def download_url(self, key: str, file_name: str, content_type: str) -> str:
        """A signed download, served as an attachment under the file's name."""

    @abstractmethod
    def stat(self, key: str) -> StoredObject | None:
        """The real size and SHA-256 of what is stored under the key; None when nothing is."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Removes the object; nothing there is not an error."""

    @abstractmethod
    def head(self, key: str, size: int = 8192) -> bytes:
        """The object's first bytes (what a content check reads)."""

    @abstractmethod
    def put(self, key: str, data: bytes) -> None:
        """Stores bytes under the key from the service itself (the demo's files; uploads go by signed URL)."""


def _sha256(chunks) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


class LocalStorage(Storage):
    """Files in a folder, served by service.local_files through URLs signed with a key derived from the
    app's secret: the signature covers the method, the key, the expiry and every other parameter (the
    upload's maximum size, the download's name and type), so none of them can be changed."""

    def __init__(self, root: str | Path, secret: str, ttl: int):
        super().__init__(ttl)
        self.root = Path(root).resolve()
        # A key of its own, so a file URL signature can never be mistaken for an access token's.
        self._key = hmac.new(secret.encode(), b"pgpsa local file urls", hashlib.sha256).digest()

    def path(self, key: str) -> Path:
        parts = key.split("/")
        if any(p in ("", ".", "..") or "\\" in p or "\x00" in p for p in parts):
            raise Problem(400, "That is not a storage key.")
        path = self.root.joinpath(*parts).resolve()
        if not path.is_relative_to(self.root):
            raise Problem(400, "That is not a storage key.")
        return path

    def sign(self, method: str, key: str, params: dict[str, str]) -> str:
        message = "\n".join([method, key, *(f"{k}={params[k]}" for k in sorted(params))])
        return hmac.new(self._key, message.encode(), hashlib.sha256).hexdigest()

    def _signed_url(self, endpoint: str, method: str, key: str, **params) -> str:
        params = {k: str(v) for k, v in params.items()} | {"expires": str(int(time.time()) + self.ttl)}
        signature = self.sign(method, key, params)
        return url_for(endpoint, key=key, signature=signature, _external=True, **params)

    def verify(self, method: str, key: str, args: dict[str, str]) -> dict[str, str]:
        """The signed parameters of a request, or a 403 problem when tampered with or expired."""
        params = {k: v for k, v in args.items() if k != "signature"}
        expected = self.sign(method, key, params)
        if not hmac.compare_digest(args.get("signature", "").encode(), expected.encode()):
            raise Problem(403, "The signature of this file URL is not valid.")
        if not params.get("expires", "").isdigit() or int(params["expires"]) < time.time():
            raise Problem(403, "This file URL has expired; ask for a new one.")
        return params

    def upload_target(self, key, content_type, max_size):
        url = self._signed_url("local_files.upload", "PUT", key, max=max_size)
        return UploadTarget(
            url=url, method="PUT", expires_in=self.ttl, headers={"Content-Type": content_type}
        )

    def download_url(self, key, file_name, content_type):
        return self._signed_url("local_files.download", "GET", key, name=file_name, type=content_type)

    def receive(self, key: str, stream, max_size: int) -> int:
        """Writes the body under the key, once: a second upload to the same key is refused."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        try:
            size = 0
            with open(partial, "xb") as f:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > max_size:
                        raise Problem(413, f"The upload is larger than the declared {max_size} bytes.")
                    f.write(chunk)
            if size == 0:
                raise Problem(400, "The upload is empty.")
            try:
                os.link(partial, path)  # atomic and refuses to replace: a confirmed file cannot be swapped
            except FileExistsError as e:
                raise Problem(409, "This file has already been uploaded.") from e
            return size
        finally:
            partial.unlink(missing_ok=True)

    def put(self, key, data):
        self.receive(key, io.BytesIO(data), len(data))

    def stat(self, key):
        path = self.path(key)
        if not path.is_file():
            return None
        with open(path, "rb") as f:
            size, digest = _sha256(iter(lambda: f.read(_CHUNK), b""))
        return StoredObject(size=size, sha256=digest)

    def delete(self, key):
        self.path(key).unlink(missing_ok=True)

    def head(self, key, size=8192):
        with open(self.path(key), "rb") as f:
            return f.read(size)


class S3Storage(Storage):
    """S3 (or a compatible server) through boto3, with credentials from boto3's usual chain."""

    def __init__(self, bucket: str, ttl: int, endpoint_url: str | None = None, region: str | None = None):
        # boto3 here, not at the top: it takes 0.1 s to import, which every CLI run and worker paid.
        import boto3
        from botocore.config import Config

        super().__init__(ttl)
        self.bucket = bucket
        # Path-style with an endpoint: S3-compatible servers (moto, MinIO) rarely serve virtual hosts.
        style = "path" if endpoint_url else "auto"
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            config=Config(signature_version="s3v4", s3={"addressing_style": style}),
        )

    def upload_target(self, key, content_type, max_size):
        post = self.client.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_size]],
            ExpiresIn=self.ttl,
        )
        return UploadTarget(url=post["url"], method="POST", expires_in=self.ttl, fields=post["fields"])

    def download_url(self, key, file_name, content_type):
        return self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentDisposition": f"attachment; filename*=UTF-8''{quote(file_name)}",
                "ResponseContentType": content_type,
            },
            ExpiresIn=self.ttl,
        )

    def put(self, key, data):
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data)

    def stat(self, key):
        # The checksum is computed here by reading the object back, not taken from the uploader: a checksum
        # the client declares at upload time proves nothing about what it sent. If-Match pins the read to
        # the version HEAD measured, so size and checksum describe the same bytes.
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
            body = self.client.get_object(Bucket=self.bucket, Key=key, IfMatch=head["ETag"])["Body"]
        except self.client.exceptions.ClientError as e:
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 404:
                return None
            if status == 412:
                raise Problem(409, "The file changed while it was being checked; confirm it again.") from e
            raise
        _, digest = _sha256(body.iter_chunks(_CHUNK))
        return StoredObject(size=head["ContentLength"], sha256=digest)

    def delete(self, key):
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def head(self, key, size=8192):
        return self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{size - 1}")["Body"].read()


def get_storage() -> Storage:
    """The app's storage: S3 when S3_BUCKET is set, else a folder (STORAGE_DIR, default instance/storage)."""
    storage = current_app.extensions.get(_KEY)
    if storage is None:
        cfg = current_app.config
        if cfg.get("S3_BUCKET"):
            storage = S3Storage(
                cfg["S3_BUCKET"], cfg["SIGNED_URL_TTL"], cfg.get("S3_ENDPOINT_URL"), cfg.get("S3_REGION")
            )
        else:
            root = cfg.get("STORAGE_DIR") or os.path.join(current_app.instance_path, "storage")
            storage = LocalStorage(root, cfg["SECRET_KEY"], cfg["SIGNED_URL_TTL"])
        current_app.extensions[_KEY] = storage
    return storage
