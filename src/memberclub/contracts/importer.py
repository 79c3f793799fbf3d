"""Importing the contract feed: validated in Python, upserted set-based from a staging table."""

from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from memberclub.contracts.keys import access_key_digest
from memberclub.contracts.lifecycle import StatusChange, status_changes_apply
from memberclub.csvio import ImportReport, chunked, read_rows
from memberclub.domain.rows import CONTRACT_COLUMNS, ContractRow, RowError, parse_contract_row
from memberclub.programs.selectors import program_codes

CHUNK_ROWS = 50_000
STAGE = "contract_stage"
# Every column but the key; a row whose values all match the stored contract is unchanged.
VALUE_COLUMNS = [
    name if name != "access_key" else "access_key_digest" for name in CONTRACT_COLUMNS
][1:]
ALL_COLUMNS = ["customer_id", *VALUE_COLUMNS]
DATE_COLUMNS = {
    "service_started_on",
    "status_effective_on",
    "discount_started_on",
    "discount_ended_on",
}


@dataclass(frozen=True)
class _Staged:
    """Counts taken from the staging table before it is merged."""

    created: int
    unchanged: int


def contracts_import(*, path: Path, encoding: str = "utf-8") -> ImportReport:
    """Upsert contracts from a CSV file by customer ID, keeping good rows and reporting bad ones."""
    programs = frozenset(program_codes())
    report = ImportReport()
    rows = read_rows(path, columns=CONTRACT_COLUMNS, encoding=encoding)
    for chunk in chunked(rows, CHUNK_ROWS):
        good: dict[str, tuple[Any, ...]] = {}
        for line, fields in chunk:
            try:
                row = parse_contract_row(fields, programs=programs)
            except RowError as error:
                report.reject(line, str(error))
                continue
            # A later row for the same customer replaces an earlier one, as in the feed.
            good[row.customer_id] = _stage_tuple(row)
        if good:
            _merge_chunk(list(good.values()), report)
    return report


def _stage_tuple(row: ContractRow) -> tuple[Any, ...]:
    values = list(astuple(row))
    values[1] = access_key_digest(row.customer_id, row.access_key)
    return tuple(values)


def _merge_chunk(rows: list[tuple[Any, ...]], report: ImportReport) -> None:
    """Stage one chunk, count what it changes, merge it and apply status changes, atomically."""
    with transaction.atomic(), connection.cursor() as cursor:
        _create_stage(cursor)
        _load_stage(cursor, rows)
        staged = _count_stage(cursor)
        changes = _status_changes(cursor)
        cursor.execute(_merge_sql())
        cursor.execute(f"DROP TABLE {STAGE}")
        status_changes_apply(changes=changes)
    report.created += staged.created
    report.unchanged += staged.unchanged
    report.updated += len(rows) - staged.created - staged.unchanged


def _create_stage(cursor: CursorWrapper) -> None:
    columns = ", ".join(
        f"{name} {'date' if name in DATE_COLUMNS else 'text'}" for name in ALL_COLUMNS
    )
    cursor.execute(f"CREATE TEMP TABLE {STAGE} ({columns}, PRIMARY KEY (customer_id))")


def _load_stage(cursor: CursorWrapper, rows: list[tuple[Any, ...]]) -> None:
    names = ", ".join(ALL_COLUMNS)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {STAGE} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(ALL_COLUMNS))
        cursor.executemany(f"INSERT INTO {STAGE} ({names}) VALUES ({marks})", list(rows))


def _differs(left: str, right: str) -> str:
    return " OR ".join(f"{left}.{name} IS DISTINCT FROM {right}.{name}" for name in VALUE_COLUMNS)


def _count_stage(cursor: CursorWrapper) -> _Staged:
    cursor.execute(
        f"""
        SELECT
          SUM(CASE WHEN c.id IS NULL THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.id IS NOT NULL AND NOT ({_differs("c", "s")}) THEN 1 ELSE 0 END)
        FROM {STAGE} s LEFT JOIN contracts_contract c ON c.customer_id = s.customer_id
        """
    )
    created, unchanged = cursor.fetchone()
    return _Staged(int(created or 0), int(unchanged or 0))


def _status_changes(cursor: CursorWrapper) -> list[StatusChange]:
    """Existing contracts whose status or its effective date the feed changes."""
    cursor.execute(
        f"""
        SELECT c.id, s.status, s.status_effective_on
        FROM {STAGE} s JOIN contracts_contract c ON c.customer_id = s.customer_id
        WHERE s.status <> 'ACTIVE'
          AND (c.status <> s.status OR c.status_effective_on IS DISTINCT FROM s.status_effective_on)
        ORDER BY c.id
        """
    )
    return [StatusChange(contract_id, status, on) for contract_id, status, on in cursor.fetchall()]


def _merge_sql() -> str:
    names = ", ".join(ALL_COLUMNS)
    updates = ", ".join(f"{name} = excluded.{name}" for name in VALUE_COLUMNS)
    return f"""
        INSERT INTO contracts_contract ({names}, updated_at)
        SELECT {names}, CURRENT_TIMESTAMP FROM {STAGE} WHERE true
        ON CONFLICT (customer_id) DO UPDATE SET {updates}, updated_at = excluded.updated_at
        WHERE {_differs("contracts_contract", "excluded")}
    """
