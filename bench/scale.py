"""Growth of the monthly run: 1M, 2M and 4M members on PostgreSQL (`make bench-scale`).

At each size, on one scratch database (`bench_scale`, regenerated per size), the monthly run's
commands as an operator runs them, each a `memberclub` subprocess: the east accrual of a month,
the points export as of its month-end, the next month's notices (every member opted in), the
liability report of the fiscal year and the expiry of the month's lots. For each: seconds, peak
memory, CPU seconds of the command and of its PostgreSQL server processes (bench.measured),
and the growth factor against the size before, normalised by the growth of the size (1.00 =
linear; the aim is within 10 %, judged on the CPU: the wall clock of a shared machine mostly
counts waiting for a core). Then, at 2M, the accrual again on an empty journal as
`--worker 1/2` and `--worker 2/2` in parallel, and the speed-up against the single run.

`python -m bench.scale [SIZE …]` (default 1000000 2000000 4000000); the worker run is made at
the size nearest 2M. It takes a long time: it is not part of `make bench`.
"""

import datetime as dt
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bench.measured import Measured, memberclub_measured
from bench.synthetic import ROOT, Database, ensure_members, prepare, reset_ledger, settle

SIZES = (1_000_000, 2_000_000, 4_000_000)
WORKER_SIZE = 2_000_000
PROGRAM = "east"
MONTH = dt.date(2027, 5, 1)
MONTH_END = dt.date(2027, 5, 31)
NOTICE_MONTH = dt.date(2027, 6, 1)
FISCAL_YEAR = 2027
AS_OF = dt.date(2030, 4, 1)
LINEAR_AIM = 0.10
EXPORT = ROOT / "var" / "bench" / "scale_export.csv"


@dataclass(frozen=True)
class Step:
    """One command of the monthly run and what it reports having done."""

    name: str
    args: tuple[str, ...]
    # The key of the command's JSON answer that counts what it did.
    count_key: str


STEPS = (
    Step(
        "accrual",
        ("accrue", "--program", PROGRAM, "--month", f"{MONTH:%Y-%m}", "--json"),
        "accounts",
    ),
    Step(
        "export",
        ("points", "export", "--as-of", f"{MONTH_END}", "--out", str(EXPORT), "--json"),
        "rows",
    ),
    Step(
        "notices",
        ("notices", "--program", PROGRAM, "--month", f"{NOTICE_MONTH:%Y-%m}", "--json"),
        "queued",
    ),
    Step(
        "report",
        (
            "report",
            "liability",
            "--program",
            PROGRAM,
            "--fy",
            f"{FISCAL_YEAR}",
            "--by",
            "month",
            "--json",
        ),
        "",
    ),
    Step("expiry", ("expire", "--program", PROGRAM, "--as-of", f"{AS_OF}", "--json"), "lots"),
)


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _cpu(job: Measured) -> str:
    server = "?" if job.server_cpu is None else f"{job.server_cpu:.1f}"
    return f"CPU {job.cpu:.1f} s memberclub + {server} s server"


def fresh_month(database: Database, members: int) -> None:
    """The size's members, an empty journal and outbox, every member opted in to mail."""
    ensure_members(database, count=members)
    reset_ledger(database)
    with database.connect() as connection:
        connection.execute("TRUNCATE notifications_noticemail")
        connection.execute("UPDATE members_member SET mail_opt_in = true WHERE NOT mail_opt_in")
        connection.execute("VACUUM ANALYZE members_member")
        settle(connection, "postgresql")


def run_size(database: Database, members: int) -> dict[str, Measured]:
    """Run the monthly commands at one size; print one line per command."""
    fresh_month(database, members)
    done = {}
    for step in STEPS:
        job = memberclub_measured(database, *step.args)
        answer = json.loads(job.out.strip().splitlines()[-1])
        count = f", {answer[step.count_key]:,} {step.count_key}" if step.count_key else ""
        print(
            f"scale {members:,} members: {step.name} {job.seconds:.1f} s, {_cpu(job)}, "
            f"peak {job.peak_mib} MiB{count} (load {_load()})",
            flush=True,
        )
        done[step.name] = job
    return done


def workers(database: Database, members: int, single: Measured) -> None:
    """The accrual as two workers in parallel on an empty journal, against the single run."""
    fresh_month(database, members)
    accrue = STEPS[0].args
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        shares = [
            pool.submit(memberclub_measured, database, *accrue, "--worker", f"{i}/2")
            for i in (1, 2)
        ]
        jobs = [share.result() for share in shares]
    wall = time.monotonic() - started
    entries = database.scalar("SELECT COUNT(*) FROM ledger_entry")
    print(
        f"scale {members:,} members: accrual as --worker 1/2 + 2/2 in parallel {wall:.1f} s "
        f"(workers {jobs[0].seconds:.1f} s and {jobs[1].seconds:.1f} s, peak "
        f"{max(job.peak_mib for job in jobs)} MiB, {entries:,} entries; {_cpu(jobs[0])} and "
        f"{_cpu(jobs[1])}) vs one worker {single.seconds:.1f} s: speed-up "
        f"{single.seconds / wall:.2f}x (load {_load()})",
        flush=True,
    )


def growth(sizes: list[int], runs: list[dict[str, Measured]]) -> None:
    """Print each command's growth from size to size, normalised by the size's growth: by the
    wall clock, and by the CPU of the command and its server (which the machine's load does not
    inflate)."""
    for before, after, size_before, size_after in zip(
        runs, runs[1:], sizes, sizes[1:], strict=False
    ):
        factor = size_after / size_before
        parts = []
        for step in STEPS:
            wall = after[step.name].seconds / before[step.name].seconds / factor
            cpu = after[step.name].all_cpu / max(before[step.name].all_cpu, 0.01) / factor
            verdict = "" if abs(cpu - 1) <= LINEAR_AIM else " MISSES"
            parts.append(f"{step.name} wall {wall:.2f}, CPU {cpu:.2f}{verdict}")
        print(
            f"growth {size_before:,} -> {size_after:,} members (1.00 = linear): "
            + ", ".join(parts),
            flush=True,
        )


def main(sizes: list[int]) -> None:
    """Run every size, the workers at the size nearest WORKER_SIZE, then the growth lines."""
    EXPORT.parent.mkdir(parents=True, exist_ok=True)
    database = Database.postgres("bench_scale")
    prepare(database)
    runs = []
    for members in sizes:
        runs.append(run_size(database, members))
        if members == min(sizes, key=lambda size: abs(size - WORKER_SIZE)):
            workers(database, members, runs[-1]["accrual"])
    growth(sizes, runs)
    EXPORT.unlink(missing_ok=True)


if __name__ == "__main__":
    main([int(size) for size in sys.argv[1:]] or list(SIZES))
