"""Expiry of 1,000,000 lots (BENCH_JOB_MEMBERS) on PostgreSQL against the raw equivalent.

Every synthetic member holds one lot that expired on 2029-03-31. The baseline is one
INSERT … SELECT of the EXPIRE entries and one UPDATE of the lots, in one transaction, on copies
holding the same journal and lots: the ratio is against bare tables (a key, one unique key, at
most one index; no check, foreign key or trigger), with the ratio against tables of the
ledger's shape beside it. The job is `memberclub expire` run as a subprocess on the ledger.
"""

import json
from typing import Any

from bench.bench_accrual import LOT_WRITTEN, WRITTEN, bare_journal
from bench.synthetic import (
    JOB_MEMBERS,
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

LOTS = JOB_MEMBERS
TIME_AIM = 1.5
SEED = [
    """
    INSERT INTO ledger_entry (program, account_id, kind, points, effective_on, expires_on, rule,
                              period, idempotency_key, reason, shortfall, created_at)
    SELECT 'east', id, 'GRANT', 500, date '2026-11-01', date '2029-03-31', 'monthly', '2026-11',
           'monthly:' || id || ':2026-11', '', 0, now()
    FROM ledger_account WHERE program = 'east'
    """,
    # Every entry has its key row, as every writer claims it (the audit's entry_has_key).
    """
    INSERT INTO ledger_entrykey (program, idempotency_key, account_id, effective_on)
    SELECT program, idempotency_key, account_id, effective_on FROM ledger_entry
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
        shaped = _baseline(connection, shaped=True)
        bare = _baseline(connection, shaped=False)
    job = memberclub(database, "expire", "--program", "east", "--as-of", "2029-04-01", "--json")
    result = json.loads(job.out.strip().splitlines()[-1])
    if result != {"lots": LOTS, "points": 500 * LOTS}:
        raise RuntimeError(f"the job expired {result}")
    shape = f"; vs ledger-shaped tables {shaped:.1f} s = {job.seconds / shaped:.2f}x"
    shape += without_start(database, job, bare)
    name = f"expiry of {LOTS:,} lots, PostgreSQL (bare-table baseline)"
    print(ratio_line(name, job, bare, TIME_AIM, shape), flush=True)


def _baseline(connection: Any, *, shaped: bool) -> float:
    """Time the baseline on copies holding the ledger's journal and lots; its seconds."""
    tables = {"ledger_entry": "bare_entry", "ledger_lot": "bare_lot"}
    if shaped:
        bare_copies(connection, "postgresql", tables)
    else:
        bare_journal(connection)
    # The same journal and lots on both sides: the new entries land in indexes as full, and
    # the lots keep their ids (and so the expiry's keys their length).
    entries, lots = ", ".join(WRITTEN), ", ".join(("id", *LOT_WRITTEN))
    connection.execute(f"INSERT INTO bare_entry ({entries}) SELECT {entries} FROM ledger_entry")
    connection.execute(f"INSERT INTO bare_lot ({lots}) SELECT {lots} FROM ledger_lot")
    for table in ("ledger_lot", "bare_lot"):
        connection.execute(f"VACUUM ANALYZE {table}")
    settle(connection, "postgresql")
    seconds = timed(connection, "postgresql", BASELINE)
    drop(connection, "bare_entry", "bare_lot")
    settle(connection, "postgresql")
    return seconds
