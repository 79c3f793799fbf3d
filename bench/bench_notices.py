"""`notices` for 1,000,000 opted-in east members on PostgreSQL against a raw INSERT … SELECT.

Every member holds two lots (one expiring on the warning month's March 31). The baseline writes
the same outbox rows (balance notice and expiry warning per member, the same figures) with one
INSERT … SELECT that reads the lots, into a bare copy of the outbox table (columns, indexes and
its foreign key). The job is
`memberclub notices` run as a subprocess, so its time includes starting up and its peak memory
is its own.
"""

import datetime as dt
import json

from bench.synthetic import (
    Database,
    drop,
    ensure_members,
    memberclub,
    prepare,
    ratio_line,
    reset_ledger,
    settle,
    timed,
)

MEMBERS = 1_000_000
MONTH = dt.date(2027, 1, 1)
EXPIRY = dt.date(2027, 3, 31)
TIME_AIM = 1.5
MEMORY_AIM_MIB = 300

SEED = [
    "UPDATE members_member SET mail_opt_in = true WHERE NOT mail_opt_in",
    """
    INSERT INTO ledger_entry (program, account_id, kind, points, effective_on, expires_on, rule,
                              period, idempotency_key, reason, shortfall)
    SELECT 'east', a.id, 'GRANT', g.points, g.effective_on, g.expires_on, 'monthly', g.period,
           'seed:' || g.period || ':' || a.id, '', 0
    FROM ledger_account a
    CROSS JOIN (VALUES (300, date '2024-05-01', date '2027-03-31', '2024-05'),
                       (500, date '2025-05-01', date '2028-03-31', '2025-05')) AS
         g(points, effective_on, expires_on, period)
    """,
    """
    INSERT INTO ledger_lot (account_id, program, expires_on, granted, remaining)
    SELECT account_id, program, expires_on, points, points FROM ledger_entry
    """,
]
BASELINE = f"""
    INSERT INTO bare_mail (member_id, program, kind, period, status, balance, expires_on,
        expiring_points, send_after, attempts, sent_to, last_error, created_at)
    SELECT m.id, 'east', k.kind, '{MONTH:%Y-%m}', 'QUEUED', COALESCE(b.balance, 0),
           date '{EXPIRY}', COALESCE(b.expiring, 0), now(), 0, '', '', now()
    FROM ledger_account a
    JOIN members_member m ON m.id = a.member_id
    CROSS JOIN (VALUES ('balance'), ('expiry_warning')) AS k(kind)
    LEFT JOIN (SELECT account_id, SUM(remaining) AS balance,
                      SUM(CASE WHEN expires_on = date '{EXPIRY}' THEN remaining ELSE 0 END)
                          AS expiring
               FROM ledger_lot WHERE expires_on >= date '{MONTH}' GROUP BY account_id) AS b
           ON b.account_id = a.id
    WHERE a.program = 'east' AND m.left_on IS NULL AND m.joined_on <= date '{MONTH}'
      AND ((k.kind = 'balance' AND m.mail_opt_in)
           OR (k.kind = 'expiry_warning' AND COALESCE(b.expiring, 0) > 0))
"""


def notices_bench(database: Database, label: str) -> str:
    """Measure the baseline, then the job, on the same database; return the benchmark line."""
    prepare(database)
    ensure_members(database, count=MEMBERS)
    reset_ledger(database)
    with database.connect() as connection:
        connection.execute("TRUNCATE notifications_noticemail")
        timed(connection, database.vendor, SEED)
        connection.execute("ANALYZE")
        connection.execute("DROP TABLE IF EXISTS bare_mail")
        connection.execute("CREATE TABLE bare_mail (LIKE notifications_noticemail INCLUDING ALL)")
        # The same foreign key as the outbox's (LIKE copies none).
        connection.execute(
            "ALTER TABLE bare_mail ADD FOREIGN KEY (member_id) REFERENCES members_member (id) "
            "DEFERRABLE INITIALLY DEFERRED"
        )
        settle(connection, database.vendor)
        baseline = timed(connection, database.vendor, [BASELINE])
        expected = connection.execute("SELECT COUNT(*) FROM bare_mail").fetchone()[0]
        drop(connection, "bare_mail")
        settle(connection, database.vendor)
    job = memberclub(
        database, "notices", "--program", "east", "--month", f"{MONTH:%Y-%m}", "--json"
    )
    result = json.loads(job.out.strip().splitlines()[-1])
    if result["queued"] != expected or expected != 2 * MEMBERS:
        raise RuntimeError(f"the job queued {result['queued']} notices, the baseline {expected}")
    memory = "meets" if job.peak_mib <= MEMORY_AIM_MIB else "MISSES"
    return ratio_line(
        f"notices, {MEMBERS:,} opted-in members, {expected:,} notices, {label}",
        job,
        baseline,
        TIME_AIM,
        f"; peak memory {job.peak_mib} MiB ({memory} aim <= {MEMORY_AIM_MIB} MiB)",
    )


def run() -> None:
    """Print the PostgreSQL line."""
    print(notices_bench(Database.postgres("bench_notices"), "PostgreSQL"), flush=True)
