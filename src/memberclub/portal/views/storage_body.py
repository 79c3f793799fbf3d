"""Reading a raw upload body at disk speed: from the connection's socket when gunicorn serves.

gunicorn's `wsgi.input` passes every byte through two BytesIO buffers and several slices on
its way to the application; bench_storage measured that at about 2 s of server CPU per GiB
uploaded, most of the upload's CPU time. Under gunicorn (`memberclub serve`) a raw body of
known length is therefore read with `recv_into` from the request's own socket
(`gunicorn.socket`, part of gunicorn's environ), after the bytes gunicorn had already read
ahead with the headers. gunicorn is told how much of the body was taken, so that it neither
reads it again nor takes body bytes for the next request. Under any other server, or when
something has started reading the body already, the standard `request.read` is used.
"""

import fcntl
import os
import ssl
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from django.http import HttpRequest
from gunicorn.http.body import Body, LengthReader
from gunicorn.http.unreader import Unreader

from memberclub.storage.uploads import BodyReader, UploadTruncated


class SocketBody:
    """The rest of a body of known length, read straight from the socket into fresh buffers.

    Each read fills a new bytearray of the size asked for (one recv_into after another), so
    the bytes are copied once, by the kernel, and the buffer can be handed to a writer thread.
    """

    def __init__(self, sock: Any, reader: Any, length: int) -> None:
        self.sock = sock
        self.reader = reader
        ahead = reader.unreader.take_buffered()
        if len(ahead) > length:  # the next request's bytes stay with gunicorn
            reader.unreader.unread(ahead[length:])
        self.ahead = memoryview(ahead[:length])
        self.length = length
        self.left = length

    def read(self, size: int) -> bytearray:
        """Fill up to `size` bytes (less only when the client stops sending)."""
        size = min(size, self.left)
        buffer = bytearray(size)
        view = memoryview(buffer)
        filled = 0
        if self.ahead:
            filled = min(size, len(self.ahead))
            view[:filled] = self.ahead[:filled]
            self.ahead = self.ahead[filled:]
        while filled < size:
            got = self.sock.recv_into(view[filled:])
            if not got:
                break
            filled += got
        self.left -= filled
        # gunicorn's reader counts what is left of the body: nothing to drain of what we took.
        self.reader.length -= filled
        return buffer if filled == size else buffer[:filled]


class SplicingBody(SocketBody):
    """A body on a plain blocking socket: also moved into a local file by the kernel (splice)."""

    pipe_size = 1024 * 1024

    def _took(self, size: int) -> None:
        """Count bytes taken off the socket, here and in gunicorn's reader."""
        self.left -= size
        self.reader.length -= size

    def splice_into(self, fd: int, count: Callable[[int], None]) -> int:
        """Socket to pipe to file, the bytes never in Python; `count` may stop it (the quota)."""
        if self.ahead:  # what gunicorn read with the headers, written as it is
            ahead, self.ahead = self.ahead, memoryview(b"")
            self._took(len(ahead))
            count(len(ahead))
            while ahead:
                ahead = ahead[os.write(fd, ahead) :]
        read_end, write_end = os.pipe()
        try:
            with suppress(OSError):  # a smaller pipe only means more turns of the loop
                fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, self.pipe_size)
            source = self.sock.fileno()
            while self.left > 0:
                got = os.splice(source, write_end, min(self.left, self.pipe_size))
                if not got:
                    break
                self._took(got)
                count(got)  # past the quota this raises, and the pipe's bytes are never kept
                while got:
                    got -= os.splice(read_end, fd, got)
        finally:
            os.close(read_end)
            os.close(write_end)
        return self.length - self.left


class FormBody:
    """A socket body as Django's multipart parser reads it: `bytes`, 1 MiB per read.

    Under gunicorn the parser would read through `wsgi.input`, which passes each byte through
    gunicorn's buffers (see above): bench_storage measured the form's user CPU time at
    0.53–0.70 s per GiB this way against 0.86–1.01 s. The parser needs `bytes` (a form field's
    value is decoded with force_str, which would print a bytearray's repr): one copy here.
    """

    def __init__(self, body: SocketBody) -> None:
        self.body = body

    def read(self, size: int = -1) -> bytes:
        """The next bytes of the body (all that is left when `size` is negative).

        A body that ends before its Content-Length is refused even when its closing boundary
        came (the parser reads to the end), as a raw body cut short is: nothing is kept.
        """
        wanted = self.body.left if size < 0 else min(size, self.body.left)
        data = self.body.read(wanted)
        if len(data) < wanted:
            raise UploadTruncated
        return bytes(data)


def form_body(body: BodyReader) -> BodyReader:
    """What Django's multipart parser should read a body from that request_body returned."""
    return FormBody(body) if isinstance(body, SocketBody) else body


def request_body(request: HttpRequest, length: int) -> BodyReader:
    """The fastest reader of this request's body that the server allows."""
    body = request.META.get("wsgi.input")
    sock = request.META.get("gunicorn.socket")
    reader = getattr(body, "reader", None)
    fresh = (
        isinstance(body, Body)
        and isinstance(reader, LengthReader)
        and isinstance(getattr(reader, "unreader", None), Unreader)
        and body.buf.tell() == 0
        and reader.length == length
        and not getattr(request, "_read_started", False)
    )
    if sock is None or not fresh:
        return request
    # From here on Django must not read the body itself (request.body would raise).
    request._read_started = True  # type: ignore[attr-defined]
    # TLS bytes on the socket are not the body; a socket with a timeout is non-blocking inside.
    if not isinstance(sock, ssl.SSLSocket) and sock.gettimeout() is None:
        return SplicingBody(sock, reader, length)
    return SocketBody(sock, reader, length)
