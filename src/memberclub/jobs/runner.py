"""Running a job over ranges of account keys: each chunk claimed and done in one transaction.

A chunk is claimed by inserting its row (program, job, period, first and last account key) in
the same transaction as its work. A rerun finds the row and skips the chunk; a second worker on
the same chunk waits for the first and then skips it; a kill at any point rolls back the work and
the claim together. Entries carry idempotency keys as well, so chunks drawn differently (another
chunk size or account range) still never grant twice.
"""

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import OperationalError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from memberclub.domain.errors import Refused
from memberclub.jobs.models import JobRun

DEFAULT_CHUNK_ACCOUNTS = 50_000
CHUNK_SETTINGS = ("random_page_cost = 1.1", "jit = off", "work_mem = '64MB'")
# A chunk that meets a deadlock or a lock timeout is rolled back whole and tried again.
CHUNK_TRIES = 3


@dataclass(frozen=True)
class AccountRange:
    """The account keys a run covers (both ends inclusive; None means unbounded)."""

    first: int | None = None
    last: int | None = None

    @property
    def whole(self) -> bool:
        """True when the range covers every account."""
        return self.first is None and self.last is None


@dataclass(frozen=True)
class WorkerShare:
    """Worker `index` of `count` (1-based) takes every count-th chunk."""

    index: int = 1
    count: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.index <= self.count:
            raise Refused(f"worker {self.index}/{self.count}: use I/N with 1 <= I <= N")


@dataclass
class ChunkResult:
    """What the work of one chunk wrote."""

    accounts: int = 0
    entries: int = 0
    points: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)

    def add(self, other: "ChunkResult") -> None:
        """Add another chunk's result to this one."""
        self.accounts += other.accounts
        self.entries += other.entries
        self.points += other.points
        self.by_rule.update(other.by_rule)


@dataclass
class RunResult(ChunkResult):
    """What a run wrote, and how many chunks it did and found already done."""

    chunks_done: int = 0
    chunks_skipped: int = 0


ChunkWork = Callable[[CursorWrapper, int, int], ChunkResult]


def chunk_ranges(*, program: str, accounts: AccountRange, size: int) -> list[tuple[int, int, int]]:
    """Cut the program's accounts into (first key, last key, count) of at most `size` accounts.

    Boundaries depend only on the accounts up to them, and new accounts get higher keys, so a
    rerun draws the same chunks (the last one may grow).
    """
    if size < 1:
        raise Refused("a chunk needs at least one account")
    first = accounts.first if accounts.first is not None else 0
    last = accounts.last if accounts.last is not None else 2**63 - 1
    ranges = []
    with connection.cursor() as cursor:
        while first <= last:
            cursor.execute(
                "SELECT id FROM ledger_account WHERE program = %s AND id >= %s AND id <= %s "
                "ORDER BY id LIMIT 1 OFFSET %s",
                [program, first, last, size - 1],
            )
            row = cursor.fetchone()
            if row is not None:
                ranges.append((first, int(row[0]), size))
                first = int(row[0]) + 1
                continue
            cursor.execute(
                "SELECT MAX(id), COUNT(*) FROM ledger_account "
                "WHERE program = %s AND id >= %s AND id <= %s",
                [program, first, last],
            )
            top, count = cursor.fetchone()
            if count:
                ranges.append((first, int(top), int(count)))
            break
    return ranges


def job_run(
    *,
    program: str,
    job: str,
    period: str,
    work: ChunkWork,
    accounts: AccountRange,
    worker: WorkerShare,
    chunk_size: int = DEFAULT_CHUNK_ACCOUNTS,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Run `work` on every chunk of this worker's share that no earlier run has done."""
    run, _ = JobRun.objects.get_or_create(program=program, job=job, period=period)
    ranges = chunk_ranges(program=program, accounts=accounts, size=chunk_size)
    mine = [
        chunk for number, chunk in enumerate(ranges) if number % worker.count == worker.index - 1
    ]
    total = sum(count for _, _, count in mine)
    result = RunResult()
    for first, last, count in mine:
        done = _chunk_do(run.pk, first, last, work)
        if done is None:
            result.chunks_skipped += 1
        else:
            result.chunks_done += 1
            result.add(done)
        if progress is not None:
            progress(count, total)
    if accounts.whole and worker.count == 1:
        JobRun.objects.filter(pk=run.pk, completed_at__isnull=True).update(
            completed_at=timezone.now()
        )
    return result


def _chunk_do(run_id: int, first: int, last: int, work: ChunkWork) -> ChunkResult | None:
    """Claim one chunk and do its work in one transaction; None when it was already done."""
    for attempt in range(1, CHUNK_TRIES + 1):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO jobs_jobchunk (run_id, first_account, last_account, by_rule) "
                    "VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (run_id, first_account, last_account) DO NOTHING RETURNING id",
                    [run_id, first, last, "{}"],
                )
                claimed = cursor.fetchone()
                if claimed is None:
                    return None
                if connection.vendor == "postgresql":
                    # A chunk reads a narrow range of keys: through the indexes rather than by
                    # scanning whole tables, not worth compiling, and with room to keep the
                    # entries it wrote in memory while it moves their lots.
                    for setting in CHUNK_SETTINGS:
                        cursor.execute(f"SET LOCAL {setting}")
                result = work(cursor, first, last)
                cursor.execute(
                    "UPDATE jobs_jobchunk SET accounts = %s, points = %s, by_rule = %s "
                    "WHERE id = %s",
                    [result.accounts, result.points, json.dumps(result.by_rule), claimed[0]],
                )
                return result
        except OperationalError:
            if attempt == CHUNK_TRIES:
                raise
            time.sleep(attempt)
    raise AssertionError("unreachable")
