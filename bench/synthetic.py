"""Synthetic contracts, members and accounts for the batch benchmarks, generated in the database.

Rows are produced by the database itself (generate_series on PostgreSQL, a recursive CTE on
SQLite) in one INSERT … SELECT per table, so a million members take seconds, not minutes. The
benchmark process talks to the database directly (psycopg or sqlite3) and runs memberclub
itself in subprocesses, so it needs no Django settings of its own.
"""

import datetime as dt
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from bench.tables import storage_copied

ROOT = Path(__file__).resolve().parent.parent
PROGRAM_FILES = [ROOT / "programs" / "east.toml", ROOT / "programs" / "west.toml"]
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# Members of the accrual and expiry benchmarks (1,000,000; 200,000 for a second size).
JOB_MEMBERS = int(os.environ.get("BENCH_JOB_MEMBERS", "1000000"))
# Prepended to every scratch database's name, so that two benchmark runs on one server don't meet.
PREFIX = os.environ.get("BENCH_DB_PREFIX", "")
# Service starts spread over ~14 years from this day; every member registered 30 days later.
FIRST_START = dt.date(2012, 4, 1)
START_SPREAD_DAYS = 5000
PLANS = ("FAMILY", "FAMILY", "MANSION", "LIGHT")
# Tables the benchmarks reset between runs (the journal's trigger does not fire on TRUNCATE).
LEDGER_TABLES = (
    *("ledger_draw", "ledger_entry", "ledger_entrykey", "ledger_lot"),
    *("jobs_jobchunk", "jobs_jobrun"),
    *("reports_entrysummary", "reports_lotflow"),
)


@dataclass(frozen=True)
class Database:
    """A benchmark database: its URL for memberclub and a direct connection for the bench."""

    vendor: str  # "postgresql" or "sqlite"
    url: str
    name: str

    @classmethod
    def postgres(cls, name: str) -> "Database":
        """A PostgreSQL database on the local server."""
        return cls("postgresql", f"{PG_SERVER}/{PREFIX}{name}", f"{PREFIX}{name}")

    @classmethod
    def sqlite(cls, name: str) -> "Database":
        """An SQLite file under var/."""
        path = ROOT / "var" / f"{PREFIX}{name}.sqlite3"
        return cls("sqlite", f"sqlite:///{path}", str(path))

    @contextmanager
    def connect(self) -> Iterator[Any]:
        """A direct connection, autocommit, closed at the end."""
        if self.vendor == "postgresql":
            with psycopg.connect(self.url, autocommit=True) as server:
                yield server
            return
        connection = sqlite3.connect(self.name, isolation_level=None)
        # The schema's CHECK constraints call REGEXP, which Django provides to its own
        # connections; foreign keys are checked as memberclub's connections check them.
        connection.create_function("REGEXP", 2, _regexp, deterministic=True)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            connection.execute(f"PRAGMA {pragma}")
        try:
            yield connection
        finally:
            connection.close()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run a query and return its first value."""
        with self.connect() as connection:
            row = connection.execute(sql, params).fetchone()
            return row[0] if row else None


def _regexp(pattern: str, value: str | None) -> bool:
    return value is not None and re.search(pattern, value) is not None


def memberclub(database: Database, *args: str) -> "Finished":
    """Run a memberclub command on the database in a subprocess; fail loudly if it fails."""
    environment = {**os.environ, "DATABASE_URL": database.url, "MEMBERCLUB_HOME": str(ROOT)}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "memberclub", *args], env=environment, stdout=out, stderr=err
        )
        # wait4 reports this child's own resource usage: its peak memory is the job's alone.
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        printed, complaint = out.read().decode(), err.read().decode()
    if process.returncode:
        raise RuntimeError(f"memberclub {' '.join(args)} failed: {complaint.strip()[-400:]}")
    return Finished(printed, elapsed, usage.ru_maxrss // 1024)


@dataclass(frozen=True)
class Finished:
    """What a memberclub subprocess printed, how long it took, its peak memory in MiB."""

    out: str
    seconds: float
    peak_mib: int


def prepare(database: Database) -> None:
    """Create the database if needed, bring its schema up to date and load the programs."""
    if database.vendor == "postgresql":
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [database.name]
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{database.name}"')
    else:
        Path(database.name).parent.mkdir(parents=True, exist_ok=True)
    memberclub(database, "migrate")
    memberclub(database, "programs", "load", *map(str, PROGRAM_FILES))


def ensure_members(database: Database, *, count: int, program: str = "east") -> None:
    """Make sure the database holds exactly `count` synthetic members of `program`."""
    have = database.scalar(f"SELECT COUNT(*) FROM ledger_account WHERE program = '{program}'")
    total = database.scalar("SELECT COUNT(*) FROM ledger_account")
    if have == count and total == count:
        return
    reset_ledger(database)
    with database.connect() as connection:
        people = ("ledger_account", "members_member", "contracts_contract", "auth_user")
        if database.vendor == "postgresql":
            connection.execute(f"TRUNCATE {', '.join(people)} CASCADE")
        else:
            for table in people:
                connection.execute(f"DELETE FROM {table}")
        generate = _generate_postgres if database.vendor == "postgresql" else _generate_sqlite
        generate(connection, count=count, program=program)


def reset_ledger(database: Database) -> None:
    """Empty the journal, the lots and the job records (the members stay)."""
    with database.connect() as connection:
        if database.vendor == "postgresql":
            connection.execute(f"TRUNCATE {', '.join(LEDGER_TABLES)} CASCADE")
        else:
            for table in LEDGER_TABLES:
                connection.execute(f"DELETE FROM {table}")


def _generate_postgres(connection: Any, *, count: int, program: str) -> None:
    start = f"(date '{FIRST_START}' + (n * 7919 % {START_SPREAD_DAYS})::int)"
    plans = "(ARRAY[" + ", ".join(f"'{plan}'" for plan in PLANS) + "])[n % 4 + 1]"
    series = f"FROM generate_series(1::bigint, {count}) AS n"
    connection.execute(
        f"""
        INSERT INTO contracts_contract (id, customer_id, access_key_digest, program, plan,
            holder_name, holder_kind, phone, postal_code, address, service_started_on, status,
            status_effective_on, discount, discount_started_on, discount_ended_on, line_prefixes,
            updated_at)
        SELECT n, 'SYN' || lpad(n::text, 9, '0'), 'synthetic', '{program}', {plans},
            'Synthetic', 'INDIVIDUAL', '03-0000-0000', '1000001', 'Tokyo', {start}, 'ACTIVE',
            NULL, 'NINEN_WARI', {start}, NULL, '', now()
        {series}
        """
    )
    connection.execute(
        f"""
        INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name,
            email, is_staff, is_active, date_joined)
        SELECT n, '!', false, 'MC' || lpad(n::text, 10, '0'), '', '', '', false, true, now()
        {series}
        """
    )
    connection.execute(
        f"""
        INSERT INTO members_member (id, member_id, program, email, nickname, joined_on, left_on,
            mail_opt_in, language, source, contract_id, user_id)
        SELECT n, 'MC' || lpad(n::text, 10, '0'), '{program}', 'member@example.com', 'member',
            {start} + 30, NULL, false, 'ja', 'import', n, n
        {series}
        """
    )
    connection.execute(
        f"INSERT INTO ledger_account (id, program, member_id, created_at) "
        f"SELECT n, '{program}', n, now() {series}"
    )
    for table in ("contracts_contract", "auth_user", "members_member", "ledger_account"):
        connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {count})")
    connection.execute("ANALYZE")


def _generate_sqlite(connection: Any, *, count: int, program: str) -> None:
    series = (
        f"WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {count})"
    )
    start = f"date('{FIRST_START}', '+' || (n * 7919 % {START_SPREAD_DAYS}) || ' days')"
    plans = "CASE n % 4 " + " ".join(f"WHEN {i} THEN '{p}'" for i, p in enumerate(PLANS)) + " END"
    digits = "substr('0000000000' || n, -10)"
    connection.execute("BEGIN")
    connection.execute(
        f"""
        INSERT INTO contracts_contract (id, customer_id, access_key_digest, program, plan,
            holder_name, holder_kind, phone, postal_code, address, service_started_on, status,
            status_effective_on, discount, discount_started_on, discount_ended_on, line_prefixes,
            updated_at)
        {series}
        SELECT n, 'SYN' || substr('000000000' || n, -9), 'synthetic', '{program}', {plans},
            'Synthetic', 'INDIVIDUAL', '03-0000-0000', '1000001', 'Tokyo', {start}, 'ACTIVE',
            NULL, 'NINEN_WARI', {start}, NULL, '', datetime('now') FROM seq
        """
    )
    connection.execute(
        f"""
        INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name,
            email, is_staff, is_active, date_joined)
        {series}
        SELECT n, '!', 0, 'MC' || {digits}, '', '', '', 0, 1, datetime('now') FROM seq
        """
    )
    connection.execute(
        f"""
        INSERT INTO members_member (id, member_id, program, email, nickname, joined_on, left_on,
            mail_opt_in, language, source, contract_id, user_id)
        {series}
        SELECT n, 'MC' || {digits}, '{program}', 'member@example.com', 'member',
            date({start}, '+30 days'), NULL, 0, 'ja', 'import', n, n FROM seq
        """
    )
    connection.execute(
        f"INSERT INTO ledger_account (id, program, member_id, created_at) {series} "
        f"SELECT n, '{program}', n, datetime('now') FROM seq"
    )
    connection.execute("COMMIT")
    connection.execute("ANALYZE")


def bare_copies(connection: Any, vendor: str, tables: dict[str, str]) -> None:
    """Create empty tables of the same shape as ledger tables: columns, defaults, checks,
    indexes, storage parameters and foreign keys, without triggers or anything of memberclub's
    around them."""
    for source, copy in tables.items():
        connection.execute(f"DROP TABLE IF EXISTS {copy}")
        if vendor == "postgresql":
            connection.execute(f"CREATE TABLE {copy} (LIKE {source} INCLUDING ALL)")
            storage_copied(connection, source, copy)
            connection.execute(
                f"ALTER TABLE {copy} ADD FOREIGN KEY (account_id) REFERENCES ledger_account (id) "
                "DEFERRABLE INITIALLY DEFERRED"
            )
            continue
        statements = connection.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('table', 'index') "
            "AND sql IS NOT NULL ORDER BY type DESC",
            [source],
        ).fetchall()
        for (sql,) in statements:
            renamed = sql.replace(f'"{source}"', f'"{copy}"')
            connection.execute(re.sub(r'INDEX "([^"]+)"', rf'INDEX "{copy}_\1"', renamed))


def settle(connection: Any, vendor: str) -> None:
    """Write pending changes out now, so that the next measurement does not pay for them."""
    if vendor == "postgresql":
        connection.execute("CHECKPOINT")
    else:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def drop(connection: Any, *tables: str) -> None:
    """Drop benchmark tables."""
    for table in tables:
        connection.execute(f"DROP TABLE IF EXISTS {table}")


def timed(connection: Any, vendor: str, statements: Sequence[str]) -> float:
    """Run statements in one transaction (committed) and return the seconds it took."""
    started = time.monotonic()
    connection.execute("BEGIN" if vendor == "postgresql" else "BEGIN IMMEDIATE")
    for statement in statements:
        connection.execute(statement)
    connection.execute("COMMIT")
    return time.monotonic() - started


def start_seconds(database: Database) -> float:
    """How long a memberclub command takes to start, connect, run one trivial query and stop."""
    probe = "from django.db import connection; connection.cursor().execute('SELECT 1')"
    return memberclub(database, "shell", "-c", probe).seconds


def without_start(database: Database, job: Finished, baseline: float) -> str:
    """The job's ratio after subtracting the command's start, measured now, beside the line."""
    start = start_seconds(database)
    return f"; without the command's start ({start:.1f} s) {(job.seconds - start) / baseline:.2f}x"


def ratio_line(name: str, job: Finished, baseline: float, aim: float, extra: str = "") -> str:
    """One benchmark line: the job against its baseline, and whether it meets its aim."""
    ratio = job.seconds / baseline
    verdict = "meets" if ratio <= aim else "MISSES"
    return (
        f"{name}: job {job.seconds:.1f} s vs baseline {baseline:.1f} s = {ratio:.2f}x "
        f"({verdict} aim <= {aim}x){extra}"
    )
