"""Online storage rules (SPEC §9): quota arithmetic, retention, file names and byte ranges."""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from memberclub.domain.calendar import add_months, last_day_of_month
from memberclub.domain.errors import Refused

# What a multipart body adds around a file (boundaries, part headers, the CSRF field): a
# Content-Length this much over the free space may still carry a file that fits.
MULTIPART_ALLOWANCE = 64 * 1024
MAX_NAME_LENGTH = 200
KEEP_END_OF_NEXT_MONTH = "end_of_next_month"


class QuotaExceeded(Refused):
    """An upload would store more than the member's quota."""

    def __init__(self, *, wanted: int, free: int) -> None:
        super().__init__(f"not enough storage: {wanted} bytes wanted, {free} bytes free")
        self.wanted = wanted
        self.free = free


@dataclass(frozen=True)
class Usage:
    """A member's storage: the quota, the bytes kept and the bytes held by uploads under way."""

    quota: int
    stored: int
    reserved: int

    @property
    def free(self) -> int:
        """Bytes a new upload may still take (never negative)."""
        return max(0, self.quota - self.stored - self.reserved)


def reservation_for(*, usage: Usage, content_length: int, framed: bool) -> int:
    """The bytes to reserve for a body of `content_length`, or refuse it before it is read.

    A raw body is the file itself; a multipart body carries some framing, so it is refused only
    when even without that framing it could not fit. The reservation never exceeds the free
    space, and the upload is cut off when its file bytes pass the reservation.
    """
    if content_length < 0:
        raise Refused("a negative Content-Length")
    allowance = MULTIPART_ALLOWANCE if framed else 0
    if content_length - allowance > usage.free:
        raise QuotaExceeded(wanted=content_length - allowance, free=usage.free)
    return min(content_length, usage.free)


def keep_until(*, ended_on: dt.date, policy: str) -> dt.date:
    """The last day a former member's files can be downloaded (the end of the next month)."""
    if policy != KEEP_END_OF_NEXT_MONTH:
        raise Refused(f"unknown storage keep_until policy {policy!r}")
    return last_day_of_month(add_months(ended_on.replace(day=1), 1))


def purge_before(*, as_of: dt.date, policy: str) -> dt.date:
    """Memberships that ended before this day have passed their keep date on `as_of`.

    keep_until(ended_on) < as_of exactly when ended_on falls before the first day of the month
    before as_of's month, so the purge selects with one bound instead of a date per member.
    """
    if policy != KEEP_END_OF_NEXT_MONTH:
        raise Refused(f"unknown storage keep_until policy {policy!r}")
    return add_months(as_of.replace(day=1), -1)


def clean_name(text: str) -> str:
    """A file or folder name as kept: one path segment, NFC, no control characters."""
    name = unicodedata.normalize("NFC", text or "").strip()
    # Browsers send a bare name, but old ones send the whole client path: keep the last part.
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name in {".", ".."}:
        raise Refused("a file name is needed")
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} for ch in name):
        raise Refused("a file name cannot contain control characters")
    if len(name) > MAX_NAME_LENGTH:
        raise Refused(f"a file name can have at most {MAX_NAME_LENGTH} characters")
    return name


def clean_folder(text: str) -> str:
    """A folder name (one level deep), or '' for the top level."""
    if not (text or "").strip():
        return ""
    if "/" in text or "\\" in text:
        raise Refused("folders are one level deep: a folder name cannot contain '/'")
    return clean_name(text)


def numbered(name: str, number: int) -> str:
    """`report.pdf` → `report (2).pdf`: a free name beside an existing one."""
    stem, dot, suffix = name.rpartition(".")
    if not stem:
        return f"{name} ({number})"
    return f"{stem} ({number}){dot}{suffix}"


@dataclass(frozen=True)
class ByteRange:
    """The bytes first..last (inclusive) of a file."""

    first: int
    last: int

    @property
    def length(self) -> int:
        """How many bytes the range holds."""
        return self.last - self.first + 1


class RangeNotSatisfiable(Exception):  # noqa: N818 - named after HTTP 416
    """A Range header that names no byte of the file."""


_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


def byte_range(header: str | None, *, size: int) -> ByteRange | None:
    """The one range a `Range: bytes=…` header asks for; None means the whole file.

    Several ranges, other units and malformed headers are answered with the whole file, as
    RFC 9110 allows; a well-formed range that names no byte of the file is not satisfiable.
    """
    match = _RANGE.match(header or "")
    if match is None or match.group(1) + match.group(2) == "":
        return None
    start_text, end_text = match.groups()
    if not start_text:
        suffix = int(end_text)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return ByteRange(max(0, size - suffix), size - 1)
    first = int(start_text)
    last = int(end_text) if end_text else size - 1
    if end_text and last < first:
        return None
    if first >= size:
        raise RangeNotSatisfiable
    return ByteRange(first, min(last, size - 1))
