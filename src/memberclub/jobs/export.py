"""`points export`: every lot with points left that is still usable, as CSV for finance."""

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from memberclub.domain.errors import Refused
from memberclub.ledger.models import Lot

COLUMNS = ["customer_id", "program", "expires_on", "remaining"]
FETCH_ROWS = 10_000


@dataclass(frozen=True)
class ExportResult:
    """What was written."""

    out: Path
    rows: int
    points: int

    def as_dict(self) -> dict[str, Any]:
        """The JSON form printed by `memberclub points export`."""
        return {"out": str(self.out), "rows": self.rows, "points": self.points}


def points_export(*, as_of: dt.date, out: Path) -> ExportResult:
    """Stream one row per lot with points left not expired by `as_of`; replace `out` at the end.

    The rows are read through a server-side cursor (PostgreSQL) or in batches (SQLite), so
    memory stays bounded; the file appears complete or not at all.
    """
    partial = out.with_name(f".{out.name}.partial")
    lots = (
        Lot.objects.filter(remaining__gt=0, expires_on__gte=as_of)
        .order_by("account__member__contract__customer_id", "program", "expires_on", "id")
        .values_list("account__member__contract__customer_id", "program", "expires_on", "remaining")
    )
    rows = points = 0
    try:
        with partial.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            for customer_id, program, expires_on, remaining in lots.iterator(chunk_size=FETCH_ROWS):
                writer.writerow([customer_id, program, expires_on.isoformat(), remaining])
                rows += 1
                points += remaining
        partial.replace(out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise Refused(f"{out}: cannot write: {error.strerror}") from None
    return ExportResult(out=out, rows=rows, points=points)
