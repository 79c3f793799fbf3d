"""Where the accrual's and the expiry's time goes, at 1,000,000 members on PostgreSQL, one run.

Four stages each, on the same database in the same run:
(a) the job's own eligibility SELECT alone (built by memberclub.jobs, see bench.job_sql);
(b) INSERT … SELECT of exactly those rows into bare tables (bench.tables.bare_table) plus the
    lots' upsert (accrual) or update (expiry): the physical floor for writing these rows;
(c) the same statements into copies of the ledger's tables as they are now, built from the
    catalog with every constraint, foreign key, index, default, trigger and storage parameter
    (bench.tables), each row's idempotency key claimed first in a copy of the key table, as
    the job claims it;
(d) the job, `memberclub accrue` / `memberclub expire` as a subprocess (its start included,
    and shown).
The accrual's ratio is (d)/(b) (aim <= 1.5x), with (d)/(c) beside it; the same for expiry.
What each part of the ledger's shape costs: `python -m bench.stages_detail`.
"""

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from bench.synthetic import (
    ROOT,
    Database,
    drop,
    ensure_members,
    memberclub,
    prepare,
    reset_ledger,
    settle,
    start_seconds,
    timed,
)
from bench.tables import bare_table, shape_copies

MEMBERS = 1_000_000
PROGRAM = "east"
MONTH = dt.date(2027, 5, 1)
# The day after the last usable day of the month's grants: every lot the accrual made expires.
AS_OF = dt.date(2030, 4, 1)
TIME_AIM = 1.5
BARE = {"ledger_entry": "bare_entry", "ledger_lot": "bare_lot"}
SHAPE = {"ledger_entry": "shape_entry", "ledger_lot": "shape_lot", "ledger_entrykey": "shape_key"}
# The job's chunk of every account (bench.job_sql); the bare statements name it too, so that a
# decomposition can cut them into the job's chunks.
WHOLE_RANGE = "BETWEEN 0 AND 9223372036854775807"
LOT_COLUMNS = ("account_id", "program", "expires_on", "granted", "remaining")
# The one plain index of a bare journal: an account's entries by date (statements, balances).
BARE_ENTRY_INDEX = ("account_id", "effective_on")


@dataclass(frozen=True)
class JobSql:
    """The jobs' statements for one chunk of every account, values bound in (bench.job_sql)."""

    accrual_select: str
    accrual_write: list[str]
    expiry_select: str
    expiry_write: list[str]
    entry_columns: list[str]
    # The columns of the key every journal write claims (ledger_entrykey's primary key).
    entry_key: list[str]
    # The columns of a key row (ledger.columns.KEY_COLUMNS), each an entry's column too.
    key_columns: list[str]

    @property
    def lot_key(self) -> list[str]:
        """The columns of the lots' unique key the grants' upsert names."""
        return _conflict_columns(self.accrual_write, "DO UPDATE")


def _conflict_columns(statements: list[str], action: str) -> list[str]:
    for statement in statements:
        found = re.search(rf"ON CONFLICT \(([^)]+)\) {action}", statement)
        if found:
            return [column.strip() for column in found.group(1).split(",")]
    raise RuntimeError(f"no ON CONFLICT … {action} in the job's statements")


def job_sql(database: Database) -> JobSql:
    """Ask a memberclub process for the jobs' own statements."""
    environment = {
        "DATABASE_URL": database.url,
        "DJANGO_SETTINGS_MODULE": "memberclub.config.settings",
        "MEMBERCLUB_HOME": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.job_sql", PROGRAM, f"{MONTH}", f"{AS_OF}"],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    sql = json.loads(done.stdout)
    return JobSql(
        accrual_select=sql["accrual"]["select"],
        accrual_write=sql["accrual"]["write"],
        expiry_select=sql["expiry"]["select"],
        expiry_write=sql["expiry"]["write"],
        entry_columns=sql["entry_columns"],
        entry_key=sql["entry_key"],
        key_columns=sql["key_columns"],
    )


def select_seconds(connection: Any, select: str) -> tuple[float, int]:
    """Time the SELECT alone: every row and column computed (EXPLAIN ANALYZE runs the plan,
    per-node clocks off) but nothing sent back or written; return the seconds and the rows."""
    started = time.monotonic()
    plan = connection.execute(f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {select}")
    rows = int(plan.fetchone()[0][0]["Plan"]["Actual Rows"])
    return time.monotonic() - started, rows


def entries_insert(sql: JobSql, select: str, entry: str, keys: str | None) -> str:
    """INSERT … SELECT of the rows into `entry`; with `keys`, their keys into it first."""
    columns = ", ".join(sql.entry_columns)
    if keys is None:
        return f"INSERT INTO {entry} ({columns}) SELECT * FROM ({select}) AS q"
    key_columns = ", ".join(sql.key_columns)
    return (
        f"WITH q ({columns}) AS MATERIALIZED ({select}), "
        f"k AS (INSERT INTO {keys} ({key_columns}) SELECT {key_columns} FROM q) "
        f"INSERT INTO {entry} ({columns}) SELECT * FROM q"
    )


def grant_statements(sql: JobSql, entry: str, lot: str, keys: str | None = None) -> list[str]:
    """(b)/(c) of the accrual: the entries by one INSERT … SELECT (with `keys`, their keys
    first), then the lots' upsert."""
    return [
        entries_insert(sql, sql.accrual_select, entry, keys),
        f"""
        INSERT INTO {lot} (account_id, program, expires_on, granted, remaining)
        SELECT account_id, program, expires_on, SUM(points), SUM(points) FROM {entry}
        WHERE account_id {WHOLE_RANGE} GROUP BY account_id, program, expires_on
        ON CONFLICT ({", ".join(sql.lot_key)}) DO UPDATE
        SET granted = {lot}.granted + excluded.granted,
            remaining = {lot}.remaining + excluded.remaining
        """,
    ]


def expiry_statements(sql: JobSql, entry: str, lot: str, keys: str | None = None) -> list[str]:
    """(b)/(c) of the expiry: the EXPIRE entries read from `lot` (with `keys`, their keys
    first), then the lots set to zero."""
    select = re.sub(r"\bledger_lot\b", lot, sql.expiry_select)
    return [
        entries_insert(sql, select, entry, keys),
        f"UPDATE {lot} SET remaining = 0 WHERE program = '{PROGRAM}' "
        f"AND expires_on < date '{AS_OF}' AND remaining > 0 AND account_id {WHOLE_RANGE}",
    ]


def bare_tables(connection: Any, sql: JobSql) -> None:
    """The bare journal and lots (bench.tables.bare_table)."""
    bare_table(
        connection,
        "ledger_entry",
        BARE["ledger_entry"],
        written=sql.entry_columns,
        unique=sql.entry_key,
        index=BARE_ENTRY_INDEX,
    )
    lot_columns = ("account_id", "program", "expires_on", "granted", "remaining")
    bare_table(
        connection, "ledger_lot", BARE["ledger_lot"], written=lot_columns, unique=sql.lot_key
    )


def fill_like_ledger(connection: Any, tables: dict[str, str]) -> None:
    """Copy the ledger's entries, lots and keys into `tables` (lots keep their ids, and so the
    expiry's keys their length); then settle them as the ledger's are settled."""
    columns = ", ".join(_columns(connection, "ledger_lot"))
    connection.execute(
        f"INSERT INTO {tables['ledger_lot']} ({columns}) SELECT {columns} FROM ledger_lot"
    )
    entry_columns = ", ".join(c for c in _columns(connection, "ledger_entry") if c != "id")
    connection.execute(
        f"INSERT INTO {tables['ledger_entry']} ({entry_columns}) "
        f"SELECT {entry_columns} FROM ledger_entry ORDER BY id"
    )
    if "ledger_entrykey" in tables:
        keys = ", ".join(_columns(connection, "ledger_entrykey"))
        connection.execute(
            f"INSERT INTO {tables['ledger_entrykey']} ({keys}) SELECT {keys} FROM ledger_entrykey"
        )
    for table in tables.values():
        connection.execute(f"VACUUM ANALYZE {table}")


def _columns(connection: Any, table: str) -> list[str]:
    rows = connection.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [name for (name,) in rows]


def _empty_summary(connection: Any) -> None:
    """The shape copies' summary trigger writes into the real summary: empty it again."""
    connection.execute("TRUNCATE reports_entrysummary, reports_lotflow")


@dataclass(frozen=True)
class Stages:
    """The four stages' seconds and rows of one job."""

    select: float
    bare: float
    shape: float
    job: float
    start: float
    rows: int

    def line(self, name: str) -> str:
        """One readable line: each stage, then (d)/(b) against its aim and (d)/(c)."""
        ratio = self.job / self.bare
        verdict = "meets" if ratio <= TIME_AIM else "MISSES"
        return (
            f"{name}, {self.rows:,} entries: (a) select {self.select:.1f} s, "
            f"(b) bare {self.bare:.1f} s, (c) ledger shape {self.shape:.1f} s, "
            f"(d) job {self.job:.1f} s (of it {self.start:.1f} s start); "
            f"job/bare = {ratio:.2f}x ({verdict} aim <= {TIME_AIM}x), "
            f"job/shape = {self.job / self.shape:.2f}x, shape/bare = {self.shape / self.bare:.2f}x"
        )


def accrual_stages(database: Database, sql: JobSql, start: float) -> Stages:
    """The accrual's four stages on an empty journal; leaves the job's grants in the ledger."""
    reset_ledger(database)
    with database.connect() as connection:
        select, rows = select_seconds(connection, sql.accrual_select)
        bare_tables(connection, sql)
        settle(connection, "postgresql")
        bare = timed(connection, "postgresql", grant_statements(sql, *BARE.values()))
        _check_rows(connection, BARE["ledger_entry"], rows)
        drop(connection, *BARE.values())
        shape_copies(connection, SHAPE)
        settle(connection, "postgresql")
        shape = timed(connection, "postgresql", grant_statements(sql, *SHAPE.values()))
        _check_rows(connection, SHAPE["ledger_entry"], rows)
        drop(connection, *SHAPE.values())
        _empty_summary(connection)
        settle(connection, "postgresql")
    job = memberclub(database, "accrue", "--program", PROGRAM, "--month", f"{MONTH:%Y-%m}")
    _check_rows_of(database, "ledger_entry", rows)
    return Stages(select, bare, shape, job.seconds, start, rows)


def expiry_stages(database: Database, sql: JobSql, start: float) -> Stages:
    """The expiry's four stages on the journal the accrual left (one lot per account)."""
    with database.connect() as connection:
        connection.execute("VACUUM ANALYZE ledger_lot")
        select, rows = select_seconds(connection, sql.expiry_select)
        bare_tables(connection, sql)
        fill_like_ledger(connection, BARE)
        settle(connection, "postgresql")
        bare = timed(connection, "postgresql", expiry_statements(sql, *BARE.values()))
        _check_expired(connection, BARE["ledger_lot"], rows)
        drop(connection, *BARE.values())
        shape_copies(connection, SHAPE)
        fill_like_ledger(connection, SHAPE)
        _empty_summary(connection)
        settle(connection, "postgresql")
        shape = timed(connection, "postgresql", expiry_statements(sql, *SHAPE.values()))
        _check_expired(connection, SHAPE["ledger_lot"], rows)
        drop(connection, *SHAPE.values())
        _empty_summary(connection)
        settle(connection, "postgresql")
    job = memberclub(database, "expire", "--program", PROGRAM, "--as-of", f"{AS_OF}", "--json")
    result = json.loads(job.out.strip().splitlines()[-1])
    if result["lots"] != rows:
        raise RuntimeError(f"the job expired {result['lots']} lots, the SELECT found {rows}")
    return Stages(select, bare, shape, job.seconds, start, rows)


def _check_rows(connection: Any, table: str, rows: int) -> None:
    written = connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    if written != rows:
        raise RuntimeError(f"{table}: {written} rows written, the SELECT found {rows}")


def _check_rows_of(database: Database, table: str, rows: int) -> None:
    with database.connect() as connection:
        _check_rows(connection, table, rows)


def _check_expired(connection: Any, lot: str, rows: int) -> None:
    expired = connection.execute(
        f"SELECT COUNT(*) FROM {lot} WHERE remaining = 0 AND expires_on < date '{AS_OF}'"
    ).fetchone()[0]
    if expired != rows:
        raise RuntimeError(f"{lot}: {expired} lots expired, the SELECT found {rows}")


def run() -> None:
    """Print the accrual's and the expiry's stage lines."""
    database = Database.postgres("bench_jobs")
    prepare(database)
    ensure_members(database, count=MEMBERS)
    sql = job_sql(database)
    with database.connect() as connection:
        # Read the accounts once so that no stage pays for a cold cache.
        connection.execute(
            "SELECT COUNT(*) FROM ledger_account a JOIN members_member m ON m.id = a.member_id "
            "JOIN contracts_contract c ON c.id = m.contract_id"
        ).fetchone()
    start = start_seconds(database)
    accrual = accrual_stages(database, sql, start)
    print(accrual.line(f"stages of east accrual, {MEMBERS:,} members, PostgreSQL"), flush=True)
    expiry = expiry_stages(database, sql, start)
    print(expiry.line(f"stages of expiry, {MEMBERS:,} lots, PostgreSQL"), flush=True)


if __name__ == "__main__":
    run()
