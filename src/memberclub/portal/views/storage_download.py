"""Serving a stored file: always an attachment, streamed, resumable with HTTP Range."""

from pathlib import Path
from typing import BinaryIO

from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.utils.http import content_disposition_header

from memberclub.domain.storage import ByteRange, RangeNotSatisfiable, byte_range
from memberclub.storage.backends import storage_backend
from memberclub.storage.models import StoredFile

# An uploaded HTML or SVG file must never run in the club's origin: no sniffing, no scripts,
# no subresources, and a sandbox even if a browser renders it anyway.
CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox"


class FilePart:
    """Bytes first..last of an open file, read in order: what a FileResponse sends of a range.

    gunicorn's `wsgi.file_wrapper` sends it with sendfile() from the file's current offset for
    the response's Content-Length; any other server reads it, never past the range's end.
    """

    block_size = 1024 * 1024

    def __init__(self, file: BinaryIO, first: int, length: int) -> None:
        file.seek(first)
        self.file = file
        self.left = length

    def fileno(self) -> int:
        """The file's descriptor, positioned at the range's first byte (for sendfile)."""
        return self.file.fileno()

    def read(self, size: int = -1) -> bytes:
        """The next bytes of the range."""
        size = self.left if size < 0 else min(size, self.left)
        data = self.file.read(size) if size > 0 else b""
        self.left -= len(data)
        return data

    def close(self) -> None:
        """Close the file."""
        self.file.close()


def _local_response(path: Path, wanted: ByteRange | None) -> FileResponse:
    """The whole file or one range of it, sent by the server's sendfile when it has one."""
    try:
        file = path.open("rb")
    except FileNotFoundError:
        # Only between a purge's deletion of the bytes and of the row.
        raise Http404("the file is being deleted") from None
    if wanted is None:
        response = FileResponse(file)
    else:
        response = FileResponse(FilePart(file, wanted.first, wanted.length), status=206)
    # Read 1 MiB at a time where there is no sendfile (Django's default is 4 KiB).
    response.block_size = FilePart.block_size
    return response


def _etag(stored: StoredFile) -> str:
    # The bytes behind an object key never change (a rename keeps the key), so the key is the tag.
    return f'"{stored.object_key.rsplit("/", 1)[-1]}"'


def _secure(response: HttpResponseBase, stored: StoredFile) -> HttpResponseBase:
    response["Content-Type"] = "application/octet-stream"
    response["Content-Disposition"] = content_disposition_header(True, stored.name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response["Cache-Control"] = "private, no-cache"
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = _etag(stored)
    return response


def _wanted(request: HttpRequest, stored: StoredFile) -> ByteRange | None:
    """The range to send (None: all); an If-Range for other bytes asks for the whole file."""
    if_range = request.headers.get("If-Range")
    if if_range and if_range.strip() != _etag(stored):
        return None
    return byte_range(request.headers.get("Range"), size=stored.size)


def download_response(request: HttpRequest, stored: StoredFile) -> HttpResponseBase:
    """200 with the whole file, 206 with one range, or 416 for a range past its end."""
    try:
        wanted = _wanted(request, stored)
    except RangeNotSatisfiable:
        refused = _secure(HttpResponse(status=416), stored)
        refused["Content-Range"] = f"bytes */{stored.size}"
        return refused
    backend = storage_backend()
    path = backend.local_path(stored.object_key)
    response: HttpResponseBase
    if request.method == "HEAD":
        response = HttpResponse()
    elif path is not None:
        response = _local_response(path, wanted)
    elif wanted is None:
        last = max(stored.size - 1, 0)
        chunks = backend.read(stored.object_key, 0, last) if stored.size else iter(())
        response = StreamingHttpResponse(chunks)
    else:
        chunks = backend.read(stored.object_key, wanted.first, wanted.last)
        response = StreamingHttpResponse(chunks, status=206)
    response["Content-Length"] = str(stored.size if wanted is None else wanted.length)
    if wanted is not None:
        response.status_code = 206
        response["Content-Range"] = f"bytes {wanted.first}-{wanted.last}/{stored.size}"
    return _secure(response, stored)
