"""East accrual of 1,000,000 members (BENCH_JOB_MEMBERS), PostgreSQL, against a raw INSERT … SELECT.

The baseline writes the same number of entries with one INSERT … SELECT over the same accounts,
members and contracts, then adds them to the lots with one upsert. On PostgreSQL the ratio is
against bare tables (a key, the one unique key the upsert names, one index; no check, foreign
key or trigger): the physical limit of writing these rows. The ratio against tables of the
ledger's shape (same columns, checks, indexes and foreign keys) is printed beside it; SQLite
measures that one only. The job is `memberclub accrue` run as a subprocess, so its time
includes starting up and its peak memory is its own. On PostgreSQL the job then runs once more
with the journal summary's trigger off, to show what keeping the reports' summary costs it.
"""

import datetime as dt
import json
from typing import Any

from bench.synthetic import (
    JOB_MEMBERS,
    ROOT,
    Database,
    bare_copies,
    drop,
    ensure_members,
    memberclub,
    prepare,
    ratio_line,
    reset_ledger,
    settle,
    timed,
    without_start,
)
from bench.tables import bare_table
from memberclub.domain.accrual import renewal_start_windows
from memberclub.domain.program import MonthlyAccrual, parse_program

MEMBERS = JOB_MEMBERS
MONTH = dt.date(2027, 5, 1)
EXPIRES_ON = dt.date(2030, 3, 31)
TIME_AIM = 1.5
MEMORY_AIM_MIB = 300
# The reports' summary is kept by a statement trigger on the journal (reports/sql/0002_summary);
# keeping it may cost the accrual at most this much (issue: within 10 %).
SUMMARY_TRIGGER = "reports_entry_summary"
SUMMARY_AIM = 0.10
# The entry columns the baseline writes, and the keys of the bare tables (bench.tables).
WRITTEN = [
    "program",
    "account_id",
    "kind",
    "points",
    "effective_on",
    "expires_on",
    "rule",
    "period",
    "idempotency_key",
    "reason",
    "shortfall",
]
LOT_WRITTEN = ("account_id", "program", "expires_on", "granted", "remaining")


def _baseline_statements(vendor: str) -> list[str]:
    """One INSERT … SELECT of every entry the job writes, then the lot upsert."""
    text = (ROOT / "programs" / "east.toml").read_text(encoding="utf-8")
    accrual = parse_program(text).accrual
    assert isinstance(accrual, MonthlyAccrual)

    def day(value: dt.date) -> str:
        return f"date '{value}'" if vendor == "postgresql" else f"'{value}'"

    terms = " OR ".join(
        f"c.discount_started_on BETWEEN {day(first)} AND {day(last)}"
        for first, last in renewal_start_windows(accrual, MONTH)
    )
    columns = f"""
        'east', a.id, 'GRANT', {{points}}, {day(MONTH)}, {day(EXPIRES_ON)}, '{{rule}}', '2027-05',
        '{{rule}}:' || c.customer_id || ':2027-05', '', 0
        FROM ledger_account a JOIN members_member m ON m.id = a.member_id
        JOIN contracts_contract c ON c.id = m.contract_id WHERE a.program = 'east'
    """
    return [
        f"""
        INSERT INTO bare_entry (program, account_id, kind, points, effective_on, expires_on, rule,
                                period, idempotency_key, reason, shortfall)
        SELECT {columns.format(points=500, rule="monthly")}
        UNION ALL
        SELECT {columns.format(points=1000, rule="renewal_bonus")}
          AND c.plan = 'FAMILY' AND ({terms})
        """,
        """
        INSERT INTO bare_lot (account_id, program, expires_on, granted, remaining)
        SELECT account_id, program, expires_on, SUM(points), SUM(points) FROM bare_entry
        WHERE true GROUP BY account_id, program, expires_on
        ON CONFLICT (account_id, expires_on) DO UPDATE
        SET granted = bare_lot.granted + excluded.granted,
            remaining = bare_lot.remaining + excluded.remaining
        """,
    ]


def accrual_bench(database: Database, label: str) -> str:
    """Measure the baseline, then the job, on the same database; return the benchmark line."""
    prepare(database)
    ensure_members(database, count=MEMBERS)
    reset_ledger(database)
    with database.connect() as connection:
        # Read the accounts once so that neither side pays for a cold cache.
        connection.execute(
            "SELECT COUNT(*) FROM ledger_account a JOIN members_member m ON m.id = a.member_id "
            "JOIN contracts_contract c ON c.id = m.contract_id"
        ).fetchone()
        shaped = _baseline(connection, database.vendor, bare_copies)
        bare = (
            _baseline(connection, database.vendor, None)
            if database.vendor == "postgresql"
            else None
        )
    baseline_entries, shape_seconds = shaped
    job = memberclub(database, "accrue", "--program", "east", "--month", f"{MONTH:%Y-%m}", "--json")
    result = json.loads(job.out.strip().splitlines()[-1])
    entries = database.scalar("SELECT COUNT(*) FROM ledger_entry")
    if result["accounts"] != MEMBERS or entries != baseline_entries:
        raise RuntimeError(f"the job wrote {entries} entries, the baseline {baseline_entries}")
    memory = "meets" if job.peak_mib <= MEMORY_AIM_MIB else "MISSES"
    extra = f"; peak memory {job.peak_mib} MiB ({memory} aim <= {MEMORY_AIM_MIB} MiB)"
    name = f"east accrual, {MEMBERS:,} members, {entries:,} entries, {label}"
    if bare is None:
        return ratio_line(name + " (ledger-shaped baseline)", job, shape_seconds, TIME_AIM, extra)
    shape = f"; vs ledger-shaped tables {shape_seconds:.1f} s = {job.seconds / shape_seconds:.2f}x"
    shape += without_start(database, job, bare[1])
    summary = _summary_cost(database, job.seconds)
    return ratio_line(
        name + " (bare-table baseline)", job, bare[1], TIME_AIM, shape + summary + extra
    )


def _summary_cost(database: Database, with_summary: float) -> str:
    """Run the job again with the journal summary's trigger off: what keeping the summary costs.

    Run second, so that a warmer cache favours the run without the summary: the cost shown is
    at most what it is."""
    reset_ledger(database)
    with database.connect() as connection:
        connection.execute(f"ALTER TABLE ledger_entry DISABLE TRIGGER {SUMMARY_TRIGGER}")
        try:
            settle(connection, database.vendor)
            job = memberclub(
                database, "accrue", "--program", "east", "--month", f"{MONTH:%Y-%m}", "--json"
            )
        finally:
            connection.execute(f"ALTER TABLE ledger_entry ENABLE TRIGGER {SUMMARY_TRIGGER}")
    cost = with_summary / job.seconds - 1
    verdict = "meets" if cost <= SUMMARY_AIM else "MISSES"
    return (
        f"; without the journal summary {job.seconds:.1f} s, the summary adds {cost:+.0%}"
        f" ({verdict} aim <= {SUMMARY_AIM:.0%})"
    )


def _baseline(connection: Any, vendor: str, copies: Any) -> tuple[int, float]:
    """Time the baseline into fresh copies of the entry and lot tables; (entries, seconds).

    `copies` makes tables of the ledger's shape (bare_copies); None makes bare tables."""
    tables = {"ledger_entry": "bare_entry", "ledger_lot": "bare_lot"}
    if copies is None:
        bare_journal(connection)
    else:
        copies(connection, vendor, tables)
    settle(connection, vendor)
    seconds = timed(connection, vendor, _baseline_statements(vendor))
    entries = int(connection.execute("SELECT COUNT(*) FROM bare_entry").fetchone()[0])
    drop(connection, "bare_entry", "bare_lot")
    settle(connection, vendor)
    return entries, seconds


def bare_journal(connection: Any) -> None:
    """Bare entry and lot tables: the unique keys the writes name, an entry index by account."""
    bare_table(
        connection,
        "ledger_entry",
        "bare_entry",
        written=WRITTEN,
        unique=("program", "idempotency_key"),
        index=("account_id", "effective_on"),
    )
    bare_table(
        connection,
        "ledger_lot",
        "bare_lot",
        written=LOT_WRITTEN,
        unique=("account_id", "expires_on"),
    )


def run() -> None:
    """Print the PostgreSQL line."""
    print(accrual_bench(Database.postgres("bench_jobs"), "PostgreSQL"), flush=True)
