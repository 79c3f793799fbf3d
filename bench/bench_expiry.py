"""Expiry of 1,000,000 lots on PostgreSQL against the raw equivalent.

Every synthetic member holds one lot that expired on 2029-03-31. The baseline is one
INSERT … SELECT of the EXPIRE entries and one UPDATE of the lots, in one transaction, on bare
tables of the ledger's shape holding the same lots; the job is `memberclub expire` run as a
subprocess on the ledger itself.
"""

import json

from bench.synthetic import (
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

LOTS = 1_000_000
TIME_AIM = 1.5
SEED = [
    """
    INSERT INTO ledger_entry (program, account_id, kind, points, effective_on, expires_on, rule,
                              period, idempotency_key, reason, shortfall, created_at)
    SELECT 'east', id, 'GRANT', 500, date '2026-11-01', date '2029-03-31', 'monthly', '2026-11',
           'monthly:' || id || ':2026-11', '', 0, now()
    FROM ledger_account WHERE program = 'east'
    """,
    """
    INSERT INTO ledger_lot (account_id, program, expires_on, granted, remaining)
    SELECT id, 'east', date '2029-03-31', 500, 500 FROM ledger_account WHERE program = 'east'
    """,
]
BASELINE = [
    """
    INSERT INTO bare_entry (program, account_id, kind, points, effective_on, expires_on, rule,
                            period, idempotency_key, reason, shortfall)
    SELECT program, account_id, 'EXPIRE', -remaining, expires_on + 1, expires_on, '', '',
           'expire:' || id || ':2029-04-01', 'expired', 0
    FROM bare_lot
    WHERE program = 'east' AND expires_on < date '2029-04-01' AND remaining > 0
    """,
    """
    UPDATE bare_lot SET remaining = 0
    WHERE program = 'east' AND expires_on < date '2029-04-01' AND remaining > 0
    """,
]


def run() -> None:
    """Print the expiry line."""
    database = Database.postgres("bench_jobs")
    prepare(database)
    ensure_members(database, count=LOTS)
    reset_ledger(database)
    with database.connect() as connection:
        for statement in SEED:
            connection.execute(statement)
        bare_copies(
            connection, "postgresql", {"ledger_entry": "bare_entry", "ledger_lot": "bare_lot"}
        )
        # The same journal and lots on both sides: the new entries land in indexes as full.
        connection.execute("INSERT INTO bare_entry SELECT * FROM ledger_entry")
        connection.execute("INSERT INTO bare_lot SELECT * FROM ledger_lot")
        for table in ("ledger_lot", "bare_lot"):
            connection.execute(f"VACUUM ANALYZE {table}")
        settle(connection, "postgresql")
        baseline = timed(connection, "postgresql", BASELINE)
        drop(connection, "bare_entry", "bare_lot")
        settle(connection, "postgresql")
    job = memberclub(database, "expire", "--program", "east", "--as-of", "2029-04-01", "--json")
    result = json.loads(job.out.strip().splitlines()[-1])
    if result != {"lots": LOTS, "points": 500 * LOTS}:
        raise RuntimeError(f"the job expired {result}")
    print(ratio_line(f"expiry of {LOTS:,} lots, PostgreSQL", job, baseline, TIME_AIM), flush=True)
