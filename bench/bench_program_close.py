"""`program close` of 1,000,000 east accounts on PostgreSQL against a raw INSERT … SELECT.

Every account holds one lot still usable on the end date. The baseline writes the same forfeit
entries with one INSERT … SELECT, their draws with a second and empties the lots with an UPDATE,
into bare tables of the ledger's shape (their indexes and foreign keys); the job does that in
chunks of accounts, each claimed in its own transaction, checks for lots expired before the end
date and counts the memberships it ends. Those memberships are not written member by member: the
close marks the program's end closed once, and "ended on the end date" is derived from it where
it is read (memberclub.members.selectors), so the job writes no member rows, as the baseline
does not. It is `memberclub program close` run as a subprocess, so its time includes starting
up and its peak memory is its own. Beside the wall-clock ratio the line gives the ratio of the
PostgreSQL server processes' CPU time (the baseline's connection, the job's connections), the
firmer measure on a shared machine.
"""

import datetime as dt
import json

from bench.measured import memberclub_measured, process_cpu_seconds
from bench.synthetic import (
    Database,
    Finished,
    bare_copies,
    drop,
    ensure_members,
    prepare,
    ratio_line,
    reset_ledger,
    settle,
    timed,
)

MEMBERS = 1_000_000
ENDS_ON = dt.date(2027, 1, 31)
TIME_AIM = 1.5
MEMORY_AIM_MIB = 300

SEED = [
    "UPDATE members_member SET left_on = NULL WHERE left_on IS NOT NULL",
    "TRUNCATE programs_programend",
    f"""
    INSERT INTO programs_programend (program, announce_on, registration_closes_on,
        last_accrual_month, ends_on, created_at, created_by)
    VALUES ('east', date '2026-11-01', date '2026-12-01', date '2026-11-01', date '{ENDS_ON}',
            now(), 'bench')
    """,
    """
    INSERT INTO ledger_entry (program, account_id, kind, points, effective_on, expires_on, rule,
                              period, idempotency_key, reason, shortfall)
    SELECT 'east', a.id, 'GRANT', 500, date '2026-05-01', date '2029-03-31', 'monthly',
           '2026-05', 'seed:' || a.id, '', 0
    FROM ledger_account a
    """,
    """
    INSERT INTO ledger_lot (account_id, program, expires_on, granted, remaining)
    SELECT account_id, program, expires_on, points, points FROM ledger_entry
    """,
]
BASELINE = [
    f"""
    INSERT INTO bare_entry (program, account_id, kind, points, effective_on, rule, period,
                            idempotency_key, reason, shortfall)
    SELECT program, account_id, 'FORFEIT', -SUM(remaining), date '{ENDS_ON}', '', '',
           'program-end:1:' || account_id, 'program ended', 0
    FROM bare_lot WHERE program = 'east' AND remaining > 0 AND expires_on >= date '{ENDS_ON}'
    GROUP BY program, account_id
    """,
    f"""
    INSERT INTO bare_draw (entry_id, lot_id, account_id, points, effective_on)
    SELECT e.id, l.id, l.account_id, -l.remaining, e.effective_on
    FROM bare_entry e JOIN bare_lot l ON l.account_id = e.account_id
    WHERE l.remaining > 0 AND l.expires_on >= date '{ENDS_ON}'
    """,
    "UPDATE bare_lot SET remaining = 0 WHERE remaining > 0",
]


def close_bench(database: Database, label: str) -> str:
    """Measure the baseline, then the job, on the same database; return the benchmark line."""
    prepare(database)
    ensure_members(database, count=MEMBERS)
    reset_ledger(database)
    with database.connect() as connection:
        timed(connection, database.vendor, SEED)
        bare_copies(
            connection,
            database.vendor,
            {"ledger_entry": "bare_entry", "ledger_lot": "bare_lot", "ledger_draw": "bare_draw"},
        )
        # The draws' other foreign keys, as the journal's (bare_copies adds the account's): to
        # the entry by its key (id, account_id, effective_on), to the lot by (id, account_id).
        for columns, table, key in (
            ("entry_id, account_id, effective_on", "bare_entry", "id, account_id, effective_on"),
            ("lot_id, account_id", "bare_lot", "id, account_id"),
        ):
            connection.execute(
                f"ALTER TABLE bare_draw ADD FOREIGN KEY ({columns}) REFERENCES {table} ({key}) "
                "DEFERRABLE INITIALLY DEFERRED"
            )
        connection.execute("INSERT INTO bare_lot SELECT * FROM ledger_lot")
        connection.execute("ANALYZE")
        settle(connection, database.vendor)
        server = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
        cpu_before = process_cpu_seconds(server)
        baseline = timed(connection, database.vendor, BASELINE)
        cpu_after = process_cpu_seconds(server)
        expected = connection.execute("SELECT COUNT(*) FROM bare_entry").fetchone()[0]
        drop(connection, "bare_draw", "bare_entry", "bare_lot")
        settle(connection, database.vendor)
    job = memberclub_measured(
        database, "program", "close", "--program", "east", "--as-of", str(ENDS_ON), "--json"
    )
    result = json.loads(job.out.strip().splitlines()[-1])
    if result["accounts"] != expected or expected != MEMBERS:
        raise RuntimeError(f"the job forfeited {result['accounts']} accounts, baseline {expected}")
    memory = "meets" if job.peak_mib <= MEMORY_AIM_MIB else "MISSES"
    cpu = ""
    if cpu_before is not None and cpu_after is not None and job.server_cpu is not None:
        base_cpu = cpu_after - cpu_before
        cpu = (
            f"; server CPU job {job.server_cpu:.1f} s vs baseline {base_cpu:.1f} s"
            f" = {job.server_cpu / base_cpu:.2f}x"
        )
    return ratio_line(
        f"program close, {MEMBERS:,} accounts, {expected:,} forfeits, {label}",
        Finished(job.out, job.seconds, job.peak_mib),
        baseline,
        TIME_AIM,
        f"{cpu}; peak memory {job.peak_mib} MiB ({memory} aim <= {MEMORY_AIM_MIB} MiB)",
    )


def run() -> None:
    """Print the PostgreSQL line."""
    print(close_bench(Database.postgres("bench_close"), "PostgreSQL"), flush=True)
