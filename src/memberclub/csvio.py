"""Reading operator CSV feeds: UTF-8 (BOM accepted) or cp932, one header row, line numbers kept."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from memberclub.domain.errors import Refused

ENCODINGS = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "cp932": "cp932", "shift_jis": "cp932"}


@dataclass
class ImportReport:
    """What an import did: counts of rows and each rejected row with its line and reason."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, object]] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        """Record a row that was not imported."""
        self.rejected.append({"line": line, "reason": reason})

    def as_dict(self) -> dict[str, object]:
        """The JSON form printed by the CLI."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": sorted(self.rejected, key=lambda item: item["line"]),  # type: ignore[arg-type, return-value]
        }


def read_rows(
    path: Path, *, columns: list[str], encoding: str = "utf-8"
) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, fields) for each data row, after checking the header row."""
    codec = ENCODINGS.get(encoding.lower())
    if codec is None:
        raise Refused(f"unknown encoding {encoding!r}: use utf-8 or cp932")
    try:
        # Undecodable bytes become U+FFFD so that only their row is rejected, not the file.
        handle = path.open(encoding=codec, errors="replace", newline="")
    except OSError as error:
        raise Refused(f"{path}: cannot read: {error.strerror}") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
        except csv.Error as error:
            raise Refused(f"{path}: line 1: cannot read the header: {error}") from None
        if header is None:
            raise Refused(f"{path}: the file is empty; expected the header {','.join(columns)}")
        if [name.strip() for name in header] != columns:
            raise Refused(f"{path}: line 1: the header must be {','.join(columns)}")
        try:
            for fields in reader:
                if fields:
                    yield reader.line_num, fields
        except csv.Error as error:
            raise Refused(f"{path}: line {reader.line_num}: {error}") from None


def chunked(
    rows: Iterator[tuple[int, list[str]]], size: int
) -> Iterator[list[tuple[int, list[str]]]]:
    """Group rows into lists of at most `size`, so memory stays bounded."""
    while chunk := list(islice(rows, size)):
        yield chunk
