"""Serving a stored file: always an attachment, streamed, resumable with HTTP Range."""

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
    response: HttpResponseBase
    if request.method == "HEAD":
        response = HttpResponse()
        response["Content-Length"] = str(stored.size if wanted is None else wanted.length)
    elif wanted is None:
        path = backend.local_path(stored.object_key)
        if path is not None:
            # The whole local file goes out through the server's sendfile when it has one.
            try:
                response = FileResponse(path.open("rb"))
            except FileNotFoundError:
                # Only between a purge's deletion of the bytes and of the row.
                raise Http404("the file is being deleted") from None
        else:
            last = max(stored.size - 1, 0)
            chunks = backend.read(stored.object_key, 0, last) if stored.size else iter(())
            response = StreamingHttpResponse(chunks)
        response["Content-Length"] = str(stored.size)
    else:
        response = StreamingHttpResponse(
            backend.read(stored.object_key, wanted.first, wanted.last), status=206
        )
        response["Content-Length"] = str(wanted.length)
    if wanted is not None:
        response.status_code = 206
        response["Content-Range"] = f"bytes {wanted.first}-{wanted.last}/{stored.size}"
    return _secure(response, stored)
