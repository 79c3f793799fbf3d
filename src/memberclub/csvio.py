"""Reading operator CSV feeds: UTF-8 (BOM accepted) or cp932, one header row, line numbers kept."""

import csv
import io
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, Full, Queue
from typing import Any, TypeVar

from django.db import connection
from django.db.backends.utils import CursorWrapper

from memberclub.domain.errors import Refused

ENCODINGS = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "cp932": "cp932", "shift_jis": "cp932"}
# Called with (bytes read, bytes in the file) as an import goes on.
Progress = Callable[[int, int], None]
T = TypeVar("T")


@dataclass
class ImportReport:
    """What an import did, per customer ID: counts, and each rejected row with its line."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        """Record a row that was not imported."""
        self.rejected.append((line, reason))

    def as_dict(self) -> dict[str, Any]:
        """The JSON form printed by the CLI."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [{"line": line, "reason": why} for line, why in sorted(self.rejected)],
        }


@dataclass
class Feed:
    """An open CSV file whose header has been checked; rows are read on demand."""

    reader: Any  # csv.reader over the decoded text
    binary: io.BufferedReader
    size: int

    def position(self) -> int:
        """Bytes of the file read so far (ahead of the rows handed out by one buffer)."""
        return self.binary.tell()

    def rows(self) -> Iterator[tuple[int, list[str] | str]]:
        """Yield (line where the row starts, its fields) for each non-blank data row.

        A row the csv module cannot read comes as (line, reason) instead of a list of fields.
        """
        reader = self.reader
        ended = reader.line_num
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                # The csv module skips past the bad line, so only that row is lost.
                yield reader.line_num, f"cannot read the row: {error}"
                ended = reader.line_num
                continue
            if fields:
                yield ended + 1, fields
            ended = reader.line_num


@contextmanager
def open_feed(path: Path, *, columns: Sequence[str], encoding: str = "utf-8") -> Iterator[Feed]:
    """Open a feed and check its header, refusing (before anything is imported) when it is wrong."""
    codec = ENCODINGS.get(encoding.lower())
    if codec is None:
        raise Refused(f"unknown encoding {encoding!r}: use utf-8 or cp932")
    try:
        binary = path.open("rb")
    except OSError as error:
        raise Refused(f"{path}: cannot read: {error.strerror}") from None
    with binary:
        # Undecodable bytes become U+FFFD so that only their row is rejected, not the file.
        text = io.TextIOWrapper(binary, encoding=codec, errors="replace", newline="")
        reader = csv.reader(text)
        try:
            header = next(reader, None)
        except csv.Error as error:
            raise Refused(f"{path}: line 1: cannot read the header: {error}") from None
        if header is None:
            raise Refused(f"{path}: the file is empty; expected the header {','.join(columns)}")
        names = [name.strip() for name in header]
        if names != list(columns):
            raise Refused(f"{path}: line 1: {_header_problem(names, columns)}")
        yield Feed(reader=reader, binary=binary, size=path.stat().st_size)


def _header_problem(names: list[str], columns: Sequence[str]) -> str:
    """Say what is wrong with a header row, naming the first column that differs."""
    expected = ",".join(columns)
    if any("\ufffd" in name for name in names):
        return (
            f"the header is not text in this encoding (try --encoding cp932); expected {expected}"
        )
    for index, (found, wanted) in enumerate(zip(names, columns, strict=False), start=1):
        if found != wanted:
            return (
                f"column {index} is {found!r}, expected {wanted!r}; the header must be {expected}"
            )
    return f"the header has {len(names)} columns, expected {len(columns)}: {expected}"


def prefetch(items: Iterable[T], *, depth: int = 1) -> Generator[T, None, None]:
    """Iterate `items` in a background thread up to `depth` items ahead.

    Parsing a feed is pure Python while writing it waits on the database, which releases the
    interpreter lock: overlapping the two nearly halves an import. Close the iterator (or
    exhaust it) to stop the thread; an exception in the thread is raised here.
    """
    queue: Queue[tuple[bool, object]] = Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def hand_over(item: tuple[bool, object]) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
            except Full:
                continue
            return True
        return False

    def produce() -> None:
        try:
            for item in items:
                if not hand_over((True, item)):
                    return
            hand_over((True, done))
        except BaseException as error:  # handed to the consuming thread
            hand_over((False, error))

    thread = threading.Thread(target=produce, name="feed-reader", daemon=True)
    thread.start()
    try:
        while True:
            ok, item = queue.get()
            if not ok:
                assert isinstance(item, BaseException)
                raise item
            if item is done:
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while thread.is_alive():
            with suppress(Empty):
                queue.get(timeout=0.1)
        thread.join()


def stage_rows(cursor: CursorWrapper, table: str, columns: Sequence[str], rows: list[Any]) -> None:
    """Append rows to a staging table: COPY on PostgreSQL, one batched INSERT elsewhere."""
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        # Errors come out as Django's (IntegrityError and so on), as from cursor.execute.
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
