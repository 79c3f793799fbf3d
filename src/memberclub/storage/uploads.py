"""Streaming an upload straight to the backend inside its quota reservation.

A raw body (what the page's script sends, one file per request) is read in chunks by
`upload_stream`; a multipart form (the page without script) is parsed by Django with
`QuotaUploadHandler` as its only handler. Neither keeps more than a chunk in memory or writes
a temporary copy, and both cut the upload off the moment its bytes pass the reservation.
"""

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from memberclub.domain.storage import QuotaExceeded, clean_name
from memberclub.storage.backends import Writer, storage_backend
from memberclub.storage.models import Reservation, StoredFile
from memberclub.storage.services import Received, reservation_release, upload_keep

CHUNK = 1024 * 1024


class BodyReader(Protocol):
    """What a raw upload reads its body from (a request, or the socket under gunicorn)."""

    def read(self, size: int) -> bytes | bytearray:
        """Up to `size` bytes; fewer only at the end of the body."""


@runtime_checkable
class KernelBody(BodyReader, Protocol):
    """A body the kernel can move into a file itself (a socket, under gunicorn)."""

    def splice_into(self, fd: int, count: Callable[[int], None]) -> int:
        """Move the rest of the body into `fd`, calling `count` before each piece is written."""


class UploadTruncated(Exception):  # noqa: N818 - the condition, as the view reports it
    """The body ended before the bytes its Content-Length announced."""


class UploadSink:
    """Receives the files of one upload into the objects of one reservation."""

    def __init__(self, reservation: Reservation) -> None:
        self.reservation = reservation
        self.backend = storage_backend()
        self.received: list[Received] = []
        self.written = 0
        self.writer: Writer | None = None
        self.key = ""
        self.name = ""

    def start(self, name: str) -> None:
        """Begin the next file (its name is checked first)."""
        self.name = clean_name(name)
        self.key = f"{self.reservation.key_prefix}{len(self.received)}"
        self.writer = self.backend.writer(self.key)

    def count(self, size: int) -> None:
        """Count bytes about to be written, or cut the upload off past the reservation."""
        self.written += size
        if self.written > self.reservation.bytes:
            raise QuotaExceeded(wanted=self.written, free=self.reservation.bytes)

    def write(self, data: bytes | bytearray) -> None:
        """Append bytes, or cut the upload off past the reservation."""
        self.count(len(data))
        if self.writer is not None:
            self.writer.write(data)

    def direct_fd(self) -> int | None:
        """The current file's descriptor when the bytes can be moved into it by the kernel."""
        return self.writer.fileno() if self.writer is not None else None

    def finish(self) -> Received:
        """Close the current file."""
        assert self.writer is not None
        size = self.writer.close()
        self.writer = None
        item = Received(folder="", name=self.name, object_key=self.key, size=size)
        self.received.append(item)
        return item

    def abort(self) -> None:
        """Give the whole upload up: nothing of it is kept, its quota is free again."""
        if self.writer is not None:
            self.writer.abort()
            self.writer = None
        reservation_release(
            reservation=self.reservation, keys=[item.object_key for item in self.received]
        )

    def keep(self, *, folder: str) -> list[StoredFile]:
        """Keep every finished file in `folder`."""
        items = [
            Received(folder=folder, name=i.name, object_key=i.object_key, size=i.size)
            for i in self.received
        ]
        return upload_keep(reservation=self.reservation, received=items)


def upload_stream(sink: UploadSink, *, name: str, body: BodyReader, length: int) -> None:
    """Stream a raw body of `length` bytes as one file."""
    sink.start(name)
    target = sink.direct_fd()
    if target is not None and isinstance(body, KernelBody):
        # Socket to file inside the kernel: bench_storage measured this at less than half the
        # system CPU time of recv() and write() with the bytes passing through Python.
        if body.splice_into(target, sink.count) < length:
            raise UploadTruncated
        sink.finish()
        return
    left = length
    while left > 0:
        chunk = body.read(min(CHUNK, left))
        if not chunk:
            raise UploadTruncated
        left -= len(chunk)
        sink.write(chunk)
    sink.finish()


class ReceivedFile(UploadedFile):
    """What request.FILES holds for a streamed file: its name and size, no content."""

    def __init__(self, received: Received) -> None:
        super().__init__(file=None, name=received.name, size=received.size)
        self.received = received

    def close(self) -> None:
        """Nothing is open: the bytes went to the backend as they came."""


class QuotaUploadHandler(FileUploadHandler):
    """Django's upload handler API over an UploadSink: file parts go to the backend as they come."""

    chunk_size = CHUNK

    def __init__(self, sink: UploadSink, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sink = sink
        self.active = False

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        """Start an object for each file part, whatever its field (an empty picker sends none)."""
        super().new_file(field_name, file_name, *args, **kwargs)
        self.active = bool(file_name)
        if self.active:
            self.sink.start(file_name)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        """Write the chunk; nothing is passed on to other handlers."""
        del start
        if self.active:
            self.sink.write(raw_data)

    def file_complete(self, file_size: int) -> UploadedFile | None:
        """Close the object and hand the view what was received."""
        del file_size
        if not self.active:
            return None
        self.active = False
        return ReceivedFile(self.sink.finish())

    def upload_interrupted(self) -> None:
        """The body ended inside a file: the view gives the upload up."""
        self.active = False


def on_failure(sink: UploadSink, work: Callable[[], Any]) -> Any:
    """Run `work`; whatever goes wrong, the upload is given up before the error goes on."""
    try:
        return work()
    except BaseException:
        sink.abort()
        raise
