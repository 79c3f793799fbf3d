"""Where one chunk of `program close` spends its time (PostgreSQL), statement by statement.

`python -m bench.close_detail [MEMBERS]` (outside `make bench`; 200,000 accounts by default, in
its own database): every account holds one lot usable on the end date, as in
bench.bench_program_close. A memberclub process then runs the job's own chunk work
(memberclub.jobs.program_close.close_work) on the first 50,000 accounts, twice, each time in a
transaction that is rolled back, with every statement under EXPLAIN (ANALYZE, BUFFERS), and the
deferred foreign-key checks fired at the end (SET CONSTRAINTS ALL IMMEDIATE, as COMMIT would).
It prints each statement's server CPU time (read from /proc for pg_backend_pid(): the wall
clock of a shared machine mostly counts waiting for a core) and wall time, and the plan's
write nodes and triggers with their times.
"""

# Modules of memberclub are imported inside explain(): they need django.setup() first.
# ruff: noqa: PLC0415

import os
import re
import subprocess
import sys
import time
from typing import Any

from bench.bench_program_close import SEED
from bench.stages_detail import backend_cpu_seconds
from bench.synthetic import ROOT, Database, ensure_members, prepare, reset_ledger, timed

MEMBERS = 200_000
CHUNK = (1, 50_000)
# The plan lines worth a reader's eye: what writes, the triggers, the totals.
SHOWN = re.compile(r"(Insert on|Update on|Trigger |Execution Time)")


class Explaining:
    """A cursor that runs each data statement under EXPLAIN ANALYZE and prints what it cost."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.number = 0

    def execute(self, sql: str, params: Any = None) -> None:
        """Run the statement (SET statements as they are) and print its cost and plan."""
        if sql.lstrip().upper().startswith("SET "):
            self.cursor.execute(sql, params)
            return
        self.number += 1
        cpu, started = backend_cpu_seconds(self.cursor), time.monotonic()
        self.cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = [row[0] for row in self.cursor.fetchall()]
        used, wall = backend_cpu_seconds(self.cursor) - cpu, time.monotonic() - started
        print(f"  {self.number}. {' '.join(sql.split())[:72]}…")
        print(f"     server CPU {used:.2f} s, wall {wall:.2f} s")
        for line in plan:
            if SHOWN.search(line):
                print(f"     {line.strip()}")

    def fetchone(self) -> tuple[int, int]:
        """Counts the chunk work reads back (EXPLAIN returned the plan instead)."""
        return (0, 0)

    def fetchall(self) -> list[tuple[Any, ...]]:
        """No rows: see fetchone."""
        return []


def explain() -> None:
    """Inside a memberclub process: explain the first chunk twice, rolled back each time."""
    import django

    django.setup()
    from django.db import connection, transaction

    from memberclub.jobs.program_close import close_work
    from memberclub.jobs.runner import CHUNK_SETTINGS
    from memberclub.programs.ending import program_end_in_force

    end = program_end_in_force(program="east")
    if end is None:
        raise SystemExit("bench.close_detail: no end of east is scheduled")
    work = close_work(end=end)
    for attempt in (1, 2):
        with transaction.atomic(), connection.cursor() as cursor:
            for setting in CHUNK_SETTINGS:
                cursor.execute(f"SET LOCAL {setting}")
            print(f"chunk of accounts {CHUNK[0]:,}-{CHUNK[1]:,}, run {attempt}:")
            cpu, started = backend_cpu_seconds(cursor), time.monotonic()
            work(Explaining(cursor), *CHUNK)  # type: ignore[arg-type]
            checks = backend_cpu_seconds(cursor)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            done = backend_cpu_seconds(cursor)
            print(f"  deferred foreign-key checks: server CPU {done - checks:.2f} s")
            wall = time.monotonic() - started
            print(f"  the chunk: server CPU {done - cpu:.2f} s, wall {wall:.1f} s", flush=True)
            transaction.set_rollback(True)


def main(members: int = MEMBERS) -> None:
    """Build the database, then explain a chunk in a memberclub process."""
    database = Database.postgres("bench_close_detail")
    prepare(database)
    ensure_members(database, count=members)
    reset_ledger(database)
    with database.connect() as connection:
        timed(connection, database.vendor, SEED)
        connection.execute("VACUUM ANALYZE")
        connection.execute("CHECKPOINT")
    environment = {**os.environ, "DATABASE_URL": database.url, "MEMBERCLUB_HOME": str(ROOT)}
    environment.setdefault("DJANGO_SETTINGS_MODULE", "memberclub.config.settings")
    subprocess.run(
        [sys.executable, "-m", "bench.close_detail", "--inside"],
        env=environment,
        cwd=ROOT,
        check=True,
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--inside"]:
        explain()
    else:
        main(*[int(argument) for argument in sys.argv[1:2]])
