"""Importing the contract feed (SPEC §11): rows validated in Python, merged set-based in SQL.

One file is one transaction. The file is read in chunks of CHUNK_ROWS rows, each validated in
a background thread while the previous one is written. Customers new to the database are
copied straight into the contracts table, chunk by chunk; rows for contracts that already
exist are staged, the last row per customer winning, and merged once the whole file is read:
that is where a feed that ends a contract (CANCELED or CONVERTED) becomes a lifecycle event.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from memberclub.contracts.keys import access_key_digester
from memberclub.contracts.lifecycle import StatusChange, status_changes_apply
from memberclub.csvio import Feed, ImportReport, Progress, open_feed, prefetch, stage_rows
from memberclub.domain.program import MonthlyAccrual, ProgramDefinition
from memberclub.domain.rows import CONTRACT_COLUMNS, RowError, parse_contract_row
from memberclub.programs.models import ProgramVersion

CHUNK_ROWS = 25_000
LOOKUP_BATCH = 900  # below SQLite's limit of bound parameters per statement
CHANGES_PER_BATCH = 500
CONTRACTS = "contracts_contract"
INCOMING = "contract_import_incoming"
PENDING = "contract_import_pending"
CHANGES = "contract_import_change"
# The feed's columns as stored: the access key only as its digest.
VALUE_COLUMNS = ["access_key_digest", *CONTRACT_COLUMNS[2:]]
COLUMNS = ["customer_id", *VALUE_COLUMNS]
DATE_COLUMNS = frozenset(
    {"service_started_on", "status_effective_on", "discount_started_on", "discount_ended_on"}
)
DIFFERS = " OR ".join(f"{CONTRACTS}.{name} IS DISTINCT FROM p.{name}" for name in VALUE_COLUMNS)
# A contract that has ended keeps its status; only a conversion can still end in cancellation.
ENDED_CONTRACT_CHANGED = """
    c.status <> 'ACTIVE'
    AND (p.status <> c.status OR p.status_effective_on <> c.status_effective_on)
    AND NOT (c.status = 'CONVERTED' AND p.status = 'CANCELED'
             AND p.status_effective_on >= c.status_effective_on)
"""


@dataclass(frozen=True)
class _Chunk:
    """One chunk of the feed: the last valid row per customer, and the rejected rows."""

    rows: dict[str, tuple[Any, ...]]  # customer ID -> the contract's columns, then updated_at
    lines: dict[str, int]
    rejected: list[tuple[int, str]]
    position: int


def contracts_import(
    *, path: Path, encoding: str = "utf-8", progress: Progress | None = None
) -> ImportReport:
    """Upsert contracts from a CSV file by customer ID, keeping good rows and reporting bad ones.

    Counts are per customer ID: a later row for the same customer replaces an earlier one.
    """
    programs = program_plans()
    digest = access_key_digester()
    # As text: PostgreSQL parses it once per row more cheaply than Python can format it.
    now = str(connection.ops.adapt_datetimefield_value(timezone.now()))
    report = ImportReport()
    with (
        open_feed(path, columns=CONTRACT_COLUMNS, encoding=encoding) as feed,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        if connection.vendor == "postgresql":
            # Imports run one at a time; they tell new contracts by their ids.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('contracts_import'))")
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {CONTRACTS}")
        known_up_to = int(cursor.fetchone()[0])
        _create_tables(cursor)
        chunks = prefetch(_chunks(feed, programs, digest, now))
        try:
            for chunk in chunks:
                report.rejected.extend(chunk.rejected)
                report.created += _load_chunk(cursor, chunk)
                if progress:
                    progress(chunk.position, feed.size)
        finally:
            chunks.close()
        _merge_known(cursor, known_up_to, now, report)
        _apply_status_changes(cursor)
        for table in (INCOMING, PENDING, CHANGES):
            cursor.execute(f"DROP TABLE {table}")
    return report


def program_plans() -> dict[str, frozenset[str] | None]:
    """Each loaded program with the plans any of its versions knows (None: any plan code)."""
    plans: dict[str, frozenset[str] | None] = {}
    for code, stored in ProgramVersion.objects.values_list("program", "definition"):
        accrual = ProgramDefinition.model_validate(stored).accrual
        if not isinstance(accrual, MonthlyAccrual):
            plans[code] = None  # usage-based: the rank, not a plan table, decides
        elif code not in plans:
            plans[code] = frozenset(accrual.points_by_plan)
        elif (known := plans[code]) is not None:
            plans[code] = known | frozenset(accrual.points_by_plan)
    return plans


def _chunks(
    feed: Feed,
    programs: dict[str, frozenset[str] | None],
    digest: Callable[[str, str], str],
    now: Any,
) -> Iterator[_Chunk]:
    """Validate the feed a chunk at a time into rows ready to store."""
    rows = feed.rows()
    while True:
        good: dict[str, tuple[Any, ...]] = {}
        lines: dict[str, int] = {}
        rejected: list[tuple[int, str]] = []
        read = 0
        for line, fields in islice(rows, CHUNK_ROWS):
            read += 1
            try:
                row = parse_contract_row(fields, programs=programs)
            except RowError as error:
                rejected.append((line, str(error)))
                continue
            customer_id = row.customer_id
            # A later row for the same customer replaces an earlier one.
            good[customer_id] = (customer_id, digest(customer_id, row.access_key), *row[2:], now)
            lines[customer_id] = line
        if not read:
            return
        yield _Chunk(good, lines, rejected, feed.position())


def _create_tables(cursor: CursorWrapper) -> None:
    columns = ", ".join(f"{name} {'date' if name in DATE_COLUMNS else 'text'}" for name in COLUMNS)
    cursor.execute(f"CREATE TEMP TABLE {INCOMING} (contract_id bigint, line integer, {columns})")
    cursor.execute(
        f"CREATE TEMP TABLE {PENDING} (contract_id bigint PRIMARY KEY, line integer, {columns})"
    )
    cursor.execute(
        f"CREATE TEMP TABLE {CHANGES} (contract_id bigint PRIMARY KEY, status text, on_date date)"
    )


def _load_chunk(cursor: CursorWrapper, chunk: _Chunk) -> int:
    """Store the chunk's new customers; stage the rows of contracts that exist already."""
    existing = _contract_ids(cursor, list(chunk.rows))
    if existing:
        _stage_known(
            cursor,
            [
                (existing[customer_id], chunk.lines[customer_id], *row[:-1])
                for customer_id, row in chunk.rows.items()
                if customer_id in existing
            ],
        )
    new = [row for customer_id, row in chunk.rows.items() if customer_id not in existing]
    if new:
        stage_rows(cursor, CONTRACTS, [*COLUMNS, "updated_at"], new)
    return len(new)


def _stage_known(cursor: CursorWrapper, rows: list[tuple[Any, ...]]) -> None:
    """Stage rows of contracts that exist; a later row for a customer replaces an earlier one."""
    columns = ["contract_id", "line", *COLUMNS]
    try:
        with transaction.atomic():
            # Usually no customer of this chunk was staged by an earlier one: copy straight in.
            stage_rows(cursor, PENDING, columns, rows)
        return
    except IntegrityError:
        pass
    stage_rows(cursor, INCOMING, columns, rows)
    names = ", ".join(columns)
    replaced = ", ".join(f"{name} = excluded.{name}" for name in columns[1:])
    cursor.execute(
        f"""
        INSERT INTO {PENDING} ({names}) SELECT {names} FROM {INCOMING} WHERE true
        ON CONFLICT (contract_id) DO UPDATE SET {replaced}
        """
    )
    cursor.execute(f"DELETE FROM {INCOMING}")


def _contract_ids(cursor: CursorWrapper, customer_ids: list[str]) -> dict[str, int]:
    """The ids of the contracts that exist for these customer IDs."""
    found: dict[str, int] = {}
    if connection.vendor == "postgresql":
        # One index probe per customer, however stale the table's statistics are.
        cursor.execute(
            f"""
            SELECT * FROM (
                SELECT wanted.customer_id,
                       (SELECT c.id FROM {CONTRACTS} c WHERE c.customer_id = wanted.customer_id)
                FROM unnest(string_to_array(%s, ' ')) AS wanted (customer_id)
            ) probed (customer_id, id)
            WHERE id IS NOT NULL
            """,
            # Customer IDs have no spaces: one string is far cheaper to send than an array.
            [" ".join(customer_ids)],
        )
        found.update(cursor.fetchall())
        return found
    for start in range(0, len(customer_ids), LOOKUP_BATCH):
        batch = customer_ids[start : start + LOOKUP_BATCH]
        marks = ", ".join(["%s"] * len(batch))
        cursor.execute(
            f"SELECT customer_id, id FROM {CONTRACTS} WHERE customer_id IN ({marks})", batch
        )
        found.update(cursor.fetchall())
    return found


def _merge_known(cursor: CursorWrapper, known_up_to: int, now: Any, report: ImportReport) -> None:
    """Merge the staged rows of contracts that existed before this import, counting each."""
    joined = f"{PENDING} p JOIN {CONTRACTS} c ON c.id = p.contract_id"
    cursor.execute(
        f"""
        SELECT p.line, c.customer_id, c.status, c.status_effective_on, p.status
        FROM {joined} WHERE p.contract_id <= %s AND {ENDED_CONTRACT_CHANGED}
        """,
        [known_up_to],
    )
    for line, customer_id, status, effective_on, wanted in cursor.fetchall():
        report.reject(
            line,
            f"contract {customer_id} is {status} effective {effective_on}: "
            f"the feed cannot make it {wanted} (again)",
        )
    cursor.execute(
        f"""
        DELETE FROM {PENDING} WHERE contract_id <= %s AND contract_id IN (
            SELECT p.contract_id FROM {joined} WHERE {ENDED_CONTRACT_CHANGED})
        """,
        [known_up_to],
    )
    cursor.execute(
        f"""
        INSERT INTO {CHANGES} (contract_id, status, on_date)
        SELECT c.id, p.status, p.status_effective_on FROM {joined}
        WHERE p.contract_id <= %s AND p.status <> 'ACTIVE'
          AND (p.status <> c.status OR p.status_effective_on IS DISTINCT FROM c.status_effective_on)
        """,
        [known_up_to],
    )
    cursor.execute(f"SELECT COUNT(*) FROM {PENDING} WHERE contract_id <= %s", [known_up_to])
    known = int(cursor.fetchone()[0])
    updated = _update(cursor, "p.contract_id <= %s", known_up_to, now)
    report.updated += updated
    report.unchanged += known - updated
    # Rows for contracts this import created: a later row replaced the first, already counted.
    _update(cursor, "p.contract_id > %s", known_up_to, now)


def _update(cursor: CursorWrapper, which: str, known_up_to: int, now: Any) -> int:
    assignments = ", ".join(f"{name} = p.{name}" for name in VALUE_COLUMNS)
    cursor.execute(
        f"""
        UPDATE {CONTRACTS} SET {assignments}, updated_at = %s
        FROM {PENDING} p
        WHERE {CONTRACTS}.id = p.contract_id AND {which} AND ({DIFFERS})
        """,
        [now, known_up_to],
    )
    return int(cursor.rowcount)


def _apply_status_changes(cursor: CursorWrapper) -> None:
    """Apply the feed's status changes as lifecycle events, a batch of contracts at a time."""
    after = 0
    while True:
        cursor.execute(
            f"""
            SELECT contract_id, status, on_date FROM {CHANGES}
            WHERE contract_id > %s ORDER BY contract_id LIMIT %s
            """,
            [after, CHANGES_PER_BATCH],
        )
        batch = [StatusChange(contract_id, status, on) for contract_id, status, on in cursor]
        if not batch:
            return
        status_changes_apply(changes=batch)
        after = batch[-1].contract_id
