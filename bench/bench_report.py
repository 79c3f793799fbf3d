"""The liability report over a journal of 1,000,000 members × 24 months, on PostgreSQL.

The journal is written as the monthly jobs write it, one INSERT … SELECT per chunk of 50,000
accounts, so the triggers add the summary rows they add in production (one per key and chunk),
plus a revocation for one account in a hundred each month. The report (roll-forward of a fiscal
year by month, read from the summary) is timed inside a memberclub process against a baseline
that sums the same fiscal year straight from the journal. The journal is kept between runs.
"""

import datetime as dt
import json
import os
import subprocess
import sys

from bench.synthetic import ROOT, Database, ensure_members, prepare, reset_ledger, settle

MEMBERS = 1_000_000
MONTHS = 24
FIRST_MONTH = dt.date(2025, 4, 1)
CHUNK = 50_000
AIM_MS = 200


def _months() -> list[dt.date]:
    return [dt.date(2025 + (3 + n) // 12, (3 + n) % 12 + 1, 1) for n in range(MONTHS)]


def _expiry(month: dt.date) -> dt.date:
    year = month.year if month.month >= 4 else month.year - 1
    return dt.date(year + 3, 3, 31)


def _journal(database: Database) -> None:
    """Write the 24 months of grants (and a few revocations), chunk by chunk."""
    reset_ledger(database)
    with database.connect() as connection:
        for month in _months():
            period = f"{month:%Y-%m}"
            for first in range(1, MEMBERS + 1, CHUNK):
                last = first + CHUNK - 1
                connection.execute(
                    f"""
                    INSERT INTO ledger_entry (program, account_id, kind, points, effective_on,
                        expires_on, rule, period, idempotency_key, reason, shortfall)
                    SELECT 'east', id, 'GRANT', 100 + (id % 5) * 100, date '{month}',
                        date '{_expiry(month)}', 'monthly', '{period}',
                        'monthly:' || id || ':{period}', '', 0
                    FROM ledger_account WHERE id BETWEEN {first} AND {last}
                    """
                )
                connection.execute(
                    f"""
                    INSERT INTO ledger_entry (program, account_id, kind, points, effective_on,
                        expires_on, rule, period, idempotency_key, reason, shortfall)
                    SELECT 'east', id, 'REVOKE', -100, date '{month}', date '{_expiry(month)}',
                        'monthly', '{period}', 'revoke:' || id || ':{period}', '', 0
                    FROM ledger_account WHERE id BETWEEN {first} AND {last} AND id % 100 = 0
                    """
                )
        settle(connection, database.vendor)
        connection.execute("ANALYZE")


def report_bench(database: Database) -> str:
    """Build the journal once, then time the report against the journal scan."""
    prepare(database)
    ensure_members(database, count=MEMBERS)
    expected = MEMBERS * MONTHS + MEMBERS // 100 * MONTHS
    if database.scalar("SELECT COUNT(*) FROM ledger_entry") != expected:
        _journal(database)
    environment = {**os.environ, "DATABASE_URL": database.url, "MEMBERCLUB_HOME": str(ROOT)}
    environment["DJANGO_SETTINGS_MODULE"] = "memberclub.config.settings"
    done = subprocess.run(
        [sys.executable, "-m", "bench.report_timer", "east", "2026"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    times = json.loads(done.stdout.strip().splitlines()[-1])
    report, baseline = times["report_ms"], times["baseline_ms"]
    rows = database.scalar("SELECT COUNT(*) FROM reports_entrysummary")
    verdict = "meets" if report <= AIM_MS else "MISSES"
    return (
        f"liability report by month, {MEMBERS:,} members x {MONTHS} months "
        f"({expected:,} entries, {rows:,} summary rows): report {report:.0f} ms vs journal scan "
        f"{baseline:.0f} ms = {report / baseline:.3f}x ({verdict} aim <= {AIM_MS} ms)"
    )


def run() -> None:
    """Print the PostgreSQL line."""
    print(report_bench(Database.postgres("bench_report")), flush=True)
