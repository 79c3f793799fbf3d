"""Where the bytes of stored files live: a local folder or an S3-compatible bucket (STORAGE_URL).

Object keys are random (`ab/cd/<32 hex>-<n>`), never the member's file name; the name is a
column of StoredFile. Every backend streams both ways in bounded memory.
"""

import os
import queue
import secrets
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings

from memberclub.domain.errors import Refused

READ_CHUNK = 1024 * 1024
# Chunks (1 MiB each from an upload) that may wait for the local writer thread.
WRITE_BEHIND = 4
# S3 parts are at least 5 MiB (but the last); 16 MiB parts keep a 10 GiB file under 1,000 parts.
PART_SIZE = 16 * 1024 * 1024
PARTIAL = ".part"


def new_key_prefix() -> str:
    """A random prefix for the objects of one upload: `ab/cd/<32 hex>-`."""
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token[2:4]}/{token}-"


class Writer(Protocol):
    """An object being written: bytes in order, then kept (close) or given up (abort)."""

    def write(self, data: bytes | bytearray) -> None:
        """Append bytes; the writer may keep `data` (the caller does not reuse it)."""

    def fileno(self) -> int | None:
        """A local file's descriptor to write into directly instead of write(), or None."""

    def close(self) -> int:
        """Keep the object and return its size."""

    def abort(self) -> None:
        """Give up the object; nothing of it stays."""


class Backend(Protocol):
    """A place for objects, by key."""

    def writer(self, key: str) -> Writer:
        """Start writing the object `key`."""

    def read(self, key: str, first: int, last: int) -> Iterator[bytes]:
        """Stream bytes first..last (inclusive) of an object."""

    def local_path(self, key: str) -> Path | None:
        """The object's file when it is on this machine (served with sendfile), else None."""

    def size(self, key: str) -> int | None:
        """The object's size, or None when there is no such object."""

    def delete(self, key: str) -> None:
        """Delete an object (no error when it is already gone)."""

    def delete_many(self, keys: list[str]) -> None:
        """Delete objects (no error for those already gone)."""

    def keys(self, prefix: str) -> Iterator[tuple[str, int]]:
        """Every object under a folder-like prefix (`ab/`), unfinished writes included."""

    def abandon_unfinished(self, prefix: str) -> int:
        """Give up unfinished writes under a key prefix; return how many."""


class LocalWriter:
    """Writes `<key>.part` and renames it to `<key>` when kept; the writing runs in a thread.

    A write to the page cache blocks whenever the disk falls behind (the kernel throttles
    dirty pages), and while the request's thread is blocked no body is read, so the client
    waits too. bench_storage measured 60 % of an upload's time inside write(): handing each
    chunk to a thread of its own lets receiving and writing overlap. At most WRITE_BEHIND
    chunks wait, so memory stays flat.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.partial = path.with_name(path.name + PARTIAL)
        # Unbuffered: chunks are large, and a buffer would only copy them once more.
        self.file = self.partial.open("wb", buffering=0)
        self.failed: OSError | None = None
        self.chunks: queue.Queue[bytes | bytearray | None] = queue.Queue(maxsize=WRITE_BEHIND)
        self.thread: threading.Thread | None = None

    def _drain(self) -> None:
        """The writing thread: each chunk whole, in order, until told to stop (None)."""
        while (data := self.chunks.get()) is not None:
            if self.failed is not None:
                continue  # keep taking chunks so that write() never waits on a dead thread
            try:
                view = memoryview(data)
                while view:  # a regular file takes it all at once, but write() may say less
                    view = view[self.file.write(view) :]
            except OSError as error:
                self.failed = error

    def write(self, data: bytes | bytearray) -> None:
        """Append bytes (the writer thread owns `data` from now on)."""
        if self.failed is not None:
            raise self.failed
        if self.thread is None:
            self.thread = threading.Thread(target=self._drain, name="storage-writer", daemon=True)
            self.thread.start()
        self.chunks.put(data)

    def fileno(self) -> int:
        """The partial file, for bytes moved in by the kernel (never mixed with write())."""
        return self.file.fileno()

    def _stop(self) -> int:
        """Wait for the writer thread; close the file and return its size."""
        if self.thread is not None:
            self.chunks.put(None)
            self.thread.join()
            self.thread = None
        size = os.fstat(self.file.fileno()).st_size
        self.file.close()
        return size

    def close(self) -> int:
        """Keep the file once every chunk is written."""
        size = self._stop()
        if self.failed is not None:
            self.partial.unlink(missing_ok=True)
            raise self.failed
        self.partial.replace(self.path)
        return size

    def abort(self) -> None:
        """Remove the partial file."""
        self._stop()
        self.partial.unlink(missing_ok=True)


class LocalBackend:
    """Objects as files under a root folder (the default: var/storage/)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        # Keys are made here (hex and '/'), but a key read back from the database is still
        # checked so that nothing outside the root can ever be reached.
        if not key or ".." in key or key.startswith("/") or "\\" in key:
            raise Refused(f"not an object key: {key!r}")
        return self.root / key

    def writer(self, key: str) -> Writer:
        """Start writing a file."""
        return LocalWriter(self._path(key))

    def read(self, key: str, first: int, last: int) -> Iterator[bytes]:
        """Stream part of a file."""
        with self._path(key).open("rb") as file:
            file.seek(first)
            left = last - first + 1
            while left > 0:
                chunk = file.read(min(READ_CHUNK, left))
                if not chunk:
                    return
                left -= len(chunk)
                yield chunk

    def local_path(self, key: str) -> Path | None:
        """The file itself."""
        return self._path(key)

    def size(self, key: str) -> int | None:
        """The file's size."""
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        """Remove the file."""
        self._path(key).unlink(missing_ok=True)

    def delete_many(self, keys: list[str]) -> None:
        """Remove the files."""
        for key in keys:
            self.delete(key)

    def keys(self, prefix: str) -> Iterator[tuple[str, int]]:
        """Walk the prefix's folder."""
        top = self._path(prefix)
        if not top.is_dir():
            return
        for folder, _dirs, files in os.walk(top):
            for name in files:
                path = Path(folder) / name
                yield path.relative_to(self.root).as_posix(), path.stat().st_size

    def abandon_unfinished(self, prefix: str) -> int:
        """Remove partial files under the prefix."""
        folder = self._path(prefix).parent
        if not folder.exists():
            return 0
        removed = 0
        for path in folder.glob(Path(prefix).name + "*" + PARTIAL):
            path.unlink(missing_ok=True)
            removed += 1
        return removed


class S3Writer:
    """A multipart upload once the bytes pass one part; a single PUT for a small object."""

    def __init__(self, client: Any, bucket: str, key: str) -> None:
        self.client, self.bucket, self.key = client, bucket, key
        self.buffer = bytearray()
        self.upload_id: str | None = None
        self.parts: list[dict[str, Any]] = []
        self.size = 0

    def write(self, data: bytes | bytearray) -> None:
        """Buffer bytes and send each full part."""
        self.buffer += data
        self.size += len(data)
        while len(self.buffer) >= PART_SIZE:
            self._send(bytes(self.buffer[:PART_SIZE]))
            del self.buffer[:PART_SIZE]

    def fileno(self) -> None:
        """Parts are sent over HTTP: nothing to write into directly."""

    def _send(self, part: bytes) -> None:
        if self.upload_id is None:
            started = self.client.create_multipart_upload(Bucket=self.bucket, Key=self.key)
            self.upload_id = started["UploadId"]
        number = len(self.parts) + 1
        sent = self.client.upload_part(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            PartNumber=number,
            Body=part,
        )
        self.parts.append({"PartNumber": number, "ETag": sent["ETag"]})

    def close(self) -> int:
        """Complete the upload (or PUT the small object)."""
        if self.upload_id is None:
            self.client.put_object(Bucket=self.bucket, Key=self.key, Body=bytes(self.buffer))
        else:
            if self.buffer:
                self._send(bytes(self.buffer))
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=self.key,
                UploadId=self.upload_id,
                MultipartUpload={"Parts": self.parts},
            )
        self.buffer.clear()
        return self.size

    def abort(self) -> None:
        """Abort the multipart upload, so its parts are not kept (or billed)."""
        self.buffer.clear()
        if self.upload_id is not None:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=self.key, UploadId=self.upload_id
            )


class S3Backend:
    """Objects in an S3-compatible bucket, through django-storages' S3Storage and boto3."""

    def __init__(self, *, bucket: str, options: dict[str, str]) -> None:
        # Imported here: boto3 adds some 17 MB to every server process, needed only with S3.
        from storages.backends.s3 import S3Storage  # noqa: PLC0415

        self.storage = S3Storage(bucket_name=bucket, **options)
        self.bucket = bucket
        self.client = self.storage.connection.meta.client

    def writer(self, key: str) -> Writer:
        """Start an upload."""
        return S3Writer(self.client, self.bucket, key)

    def read(self, key: str, first: int, last: int) -> Iterator[bytes]:
        """Stream a ranged GET."""
        got = self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={first}-{last}")
        body = got["Body"]
        try:
            yield from body.iter_chunks(READ_CHUNK)
        finally:
            body.close()

    def local_path(self, key: str) -> Path | None:
        """Objects are not local."""
        del key
        return None

    def size(self, key: str) -> int | None:
        """HEAD the object."""
        from botocore.exceptions import ClientError  # noqa: PLC0415 - see __init__

        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise

    def delete(self, key: str) -> None:
        """DELETE the object (S3 answers success for a missing key too)."""
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def delete_many(self, keys: list[str]) -> None:
        """DELETE up to 1,000 objects per request."""
        for start in range(0, len(keys), 1000):
            batch = [{"Key": key} for key in keys[start : start + 1000]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})

    def keys(self, prefix: str) -> Iterator[tuple[str, int]]:
        """List the objects under the prefix."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"], int(item["Size"])

    def abandon_unfinished(self, prefix: str) -> int:
        """Abort the multipart uploads under the prefix."""
        listed = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=prefix)
        uploads = listed.get("Uploads", [])
        for upload in uploads:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
            )
        return len(uploads)


def backend_from_url(url: str) -> Backend:
    """Build the backend a STORAGE_URL names: file:///path or s3://bucket?endpoint_url=…"""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return LocalBackend(Path(unquote(parts.path)))
    if parts.scheme == "s3" and parts.netloc:
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        allowed = {"endpoint_url", "region_name", "addressing_style", "signature_version"}
        unknown = set(query) - allowed
        if unknown:
            raise Refused(f"STORAGE_URL: unknown option(s) {', '.join(sorted(unknown))}")
        return S3Backend(bucket=parts.netloc, options=query)
    raise Refused(f"STORAGE_URL must be file:///path or s3://bucket, not {url!r}")


@lru_cache(maxsize=4)
def _backend(url: str) -> Backend:
    return backend_from_url(url)


def storage_backend() -> Backend:
    """The backend of the configured STORAGE_URL (built once per URL)."""
    return _backend(settings.STORAGE_URL)
