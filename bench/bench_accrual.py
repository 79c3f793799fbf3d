"""East accrual of 1,000,000 eligible members on PostgreSQL against a raw INSERT … SELECT.

The baseline writes the same number of entries with one INSERT … SELECT over the same accounts,
members and contracts, then adds them to the lots with one upsert, into bare tables of the
ledger's shape (same columns, checks, indexes and foreign keys). The job is `memberclub accrue`
run as a subprocess, so its time includes starting up and its peak memory is its own.
"""

import datetime as dt
import json

from bench.synthetic import (
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
)
from memberclub.domain.accrual import renewal_start_windows
from memberclub.domain.program import MonthlyAccrual, parse_program

MEMBERS = 1_000_000
MONTH = dt.date(2027, 5, 1)
EXPIRES_ON = dt.date(2030, 3, 31)
TIME_AIM = 1.5
MEMORY_AIM_MIB = 300


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
        bare_copies(
            connection, database.vendor, {"ledger_entry": "bare_entry", "ledger_lot": "bare_lot"}
        )
        settle(connection, database.vendor)
        baseline = timed(connection, database.vendor, _baseline_statements(database.vendor))
        baseline_entries = connection.execute("SELECT COUNT(*) FROM bare_entry").fetchone()[0]
        drop(connection, "bare_entry", "bare_lot")
        settle(connection, database.vendor)
    job = memberclub(database, "accrue", "--program", "east", "--month", f"{MONTH:%Y-%m}", "--json")
    result = json.loads(job.out.strip().splitlines()[-1])
    entries = database.scalar("SELECT COUNT(*) FROM ledger_entry")
    if result["accounts"] != MEMBERS or entries != baseline_entries:
        raise RuntimeError(f"the job wrote {entries} entries, the baseline {baseline_entries}")
    memory = "meets" if job.peak_mib <= MEMORY_AIM_MIB else "MISSES"
    return ratio_line(
        f"east accrual, {MEMBERS:,} members, {entries:,} entries, {label}",
        job,
        baseline,
        TIME_AIM,
        f"; peak memory {job.peak_mib} MiB ({memory} aim <= {MEMORY_AIM_MIB} MiB)",
    )


def run() -> None:
    """Print the PostgreSQL line."""
    print(accrual_bench(Database.postgres("bench_jobs"), "PostgreSQL"), flush=True)
