"""`points export` of 1,000,000 accounts as of a past month-end against today's export.

Every synthetic east member holds two lots: 500 points usable through 2028-03-31 and the
monthly grants of FY2026 (100 a month, April to December) usable through 2029-03-31; half of
them spent 300 points on 2026-11-20 and a fifth 200 more on 2026-12-02. The export as of
2026-11-30 must count back the December grant and spend; the baseline is the export as of
2026-12-02, the last day with activity (today's export), on the same database in the same run.
"""

import json
from pathlib import Path

from bench.synthetic import (
    ROOT,
    Database,
    Finished,
    ensure_members,
    memberclub,
    prepare,
    ratio_line,
    reset_ledger,
    settle,
)

ACCOUNTS = 1_000_000
TIME_AIM = 1.5
ENTRY_COLUMNS = (
    "program, account_id, kind, points, effective_on, expires_on, rule, period, idempotency_key, "
    "reason, shortfall, created_at"
)
MONTHS = [f"2026-{month:02d}-01" for month in range(4, 13)]
SEED = [
    f"""
    INSERT INTO ledger_entry ({ENTRY_COLUMNS})
    SELECT 'east', id, 'GRANT', 500, date '2025-06-01', date '2028-03-31', 'monthly', '2025-06',
           'monthly:' || id || ':2025-06', '', 0, now()
    FROM ledger_account
    """,
    *(
        f"""
        INSERT INTO ledger_entry ({ENTRY_COLUMNS})
        SELECT 'east', id, 'GRANT', 100, date '{month}', date '2029-03-31', 'monthly',
               '{month[:7]}', 'monthly:' || id || ':{month[:7]}', '', 0, now()
        FROM ledger_account
        """
        for month in MONTHS
    ),
    """
    INSERT INTO ledger_lot (account_id, program, expires_on, granted, remaining)
    SELECT id, 'east', date '2028-03-31', 500,
           500 - CASE WHEN id % 2 = 0 THEN 300 ELSE 0 END - CASE WHEN id % 5 = 0 THEN 200 ELSE 0 END
    FROM ledger_account
    UNION ALL
    SELECT id, 'east', date '2029-03-31', 900, 900 FROM ledger_account
    """,
    *(
        f"""
        INSERT INTO ledger_entry ({ENTRY_COLUMNS})
        SELECT 'east', id, 'REDEEM', -{points}, date '{on}', NULL, '', '',
               'redeem:' || id || ':{on}', '', 0, now()
        FROM ledger_account WHERE id % {every} = 0
        """
        for points, on, every in ((300, "2026-11-20", 2), (200, "2026-12-02", 5))
    ),
    """
    INSERT INTO ledger_draw (entry_id, lot_id, account_id, points, effective_on)
    SELECT e.id, l.id, e.account_id, e.points, e.effective_on
    FROM ledger_entry e
    JOIN ledger_lot l ON l.account_id = e.account_id AND l.expires_on = date '2028-03-31'
    WHERE e.kind = 'REDEEM'
    """,
]
SEEDED_ENTRIES = ACCOUNTS * (1 + len(MONTHS)) + ACCOUNTS // 2 + ACCOUNTS // 5
# (rows, points) each export must write.
EXPECTED = {
    "2026-11-30": (2 * ACCOUNTS, 350 * ACCOUNTS + 800 * ACCOUNTS),
    "2026-12-02": (2 * ACCOUNTS - ACCOUNTS // 10, 310 * ACCOUNTS + 900 * ACCOUNTS),
}


def _export(database: Database, as_of: str, out: Path) -> Finished:
    job = memberclub(database, "points", "export", "--as-of", as_of, "--out", str(out), "--json")
    result = json.loads(job.out.strip().splitlines()[-1])
    if (result["rows"], result["points"]) != EXPECTED[as_of]:
        raise RuntimeError(f"the export as of {as_of} wrote {result}")
    return job


def run() -> None:
    """Print the export line."""
    database = Database.postgres("bench_export_as_of")
    prepare(database)
    ensure_members(database, count=ACCOUNTS)
    # The seeded journal is kept between runs (the exports only read it).
    if database.scalar("SELECT COUNT(*) FROM ledger_entry") != SEEDED_ENTRIES:
        reset_ledger(database)
        with database.connect() as connection:
            for statement in SEED:
                connection.execute(statement)
            for table in ("ledger_entry", "ledger_lot", "ledger_draw"):
                connection.execute(f"VACUUM ANALYZE {table}")
    with database.connect() as connection:
        settle(connection, "postgresql")
    out = ROOT / "var" / "bench" / "export-as-of.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    today = _export(database, "2026-12-02", out)
    past = _export(database, "2026-11-30", out)
    out.unlink(missing_ok=True)
    label = f"points export of {ACCOUNTS:,} accounts as of a past month-end vs today's"
    print(ratio_line(label, past, today.seconds, TIME_AIM), flush=True)
