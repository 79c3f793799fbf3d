"""`points export`: every lot with points left that is still usable, as CSV for finance."""

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from memberclub.domain.errors import Refused
from memberclub.ledger.selectors import lots_as_of_sql

COLUMNS = ["customer_id", "program", "expires_on", "remaining"]
FETCH_ROWS = 10_000
EXPORT_WORK_MEM = "64MB"


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
    """Stream one row per lot with points at the end of day `as_of` (the ledger's one
    definition, `lots_as_of_sql`); replace `out` at the end.

    The rows are read through a server-side cursor (PostgreSQL) or in batches (SQLite), so
    memory stays bounded; the file appears complete or not at all.
    """
    partial = out.with_name(f".{out.name}.partial")
    held, params = lots_as_of_sql(as_of=as_of)
    sql = f"""
        SELECT c.customer_id, held.program, held.expires_on, held.remaining
        FROM ({held}) held
        JOIN ledger_account a ON a.id = held.account_id
        JOIN members_member m ON m.id = a.member_id
        JOIN contracts_contract c ON c.id = m.contract_id
        ORDER BY c.customer_id, held.program, held.expires_on, held.id
    """
    rows = points = 0
    try:
        with (
            partial.open("w", newline="", encoding="utf-8") as handle,
            transaction.atomic(),  # a server-side cursor lives inside a transaction
            connection.chunked_cursor() as cursor,  # named on PostgreSQL: no SET through it
        ):
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            _settings_for_one_big_read()
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(FETCH_ROWS):
                for customer_id, program, expires_on, remaining in batch:
                    writer.writerow([customer_id, program, str(expires_on), remaining])
                    points += remaining
                rows += len(batch)
        partial.replace(out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise Refused(f"{out}: cannot write: {error.strerror}") from None
    return ExportResult(out=out, rows=rows, points=points)


def _settings_for_one_big_read() -> None:
    """On PostgreSQL, for this transaction: hash joins in memory rather than in temporary
    files, no JIT compilation (seconds of it, for a statement run once), and no parallel
    workers: the export is a back-office job that must leave the database's other cores to
    the members' requests (and a parallel plan rebuilt the as-of hash in every worker)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{EXPORT_WORK_MEM}'")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
