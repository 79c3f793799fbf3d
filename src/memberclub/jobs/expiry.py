"""`expire`: an EXPIRE entry for every lot with points left whose last usable day has passed."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.backends.utils import CursorWrapper

from memberclub.domain.errors import Refused
from memberclub.jobs.runner import (
    DEFAULT_CHUNK_ACCOUNTS,
    AccountRange,
    ChunkResult,
    RunResult,
    WorkerShare,
    job_run,
)
from memberclub.jobs.sql import (
    CHUNK_ACCOUNTS_LOCK,
    day_after,
    entries_write,
    is_postgres,
    joins_by_key,
)
from memberclub.ledger.keys import EXPIRY_KEY_SQL
from memberclub.ledger.partitions import partitions_ensure
from memberclub.programs.selectors import program_codes

# The same entry as a close-out writes for a lot that had expired: dated the day after the
# lot's last usable day, keyed by lot and as-of date (ledger.keys), so either may run first
# and neither twice.
EXPIRING = """
    FROM ledger_lot l
    WHERE l.account_id BETWEEN %(first_account)s AND %(last_account)s
      AND l.program = %(program)s AND l.expires_on < %(as_of)s AND l.remaining > 0
"""
EXPIRING_LOTS = f"""
    SELECT l.program, l.account_id, 'EXPIRE', -l.remaining, {{next_day}}, l.expires_on, '',
           '', {EXPIRY_KEY_SQL.format(lot_id="l.id", as_of_text="%(as_of_text)s")}, 'expired', 0,
           CAST(NULL AS BIGINT)
    {EXPIRING}
"""
# An expiry reads what is left in a lot and then lowers it by that: on PostgreSQL it locks the
# accounts of those lots first, in key order, as every writer that lowers a lot does, so a
# redemption dated before `as_of` (one in flight at midnight) cannot spend the same points.
# The statement that writes the entries starts after the locks are granted and so sees every
# redemption committed before. SQLite's writers hold the whole file.
LOCK_ACCOUNTS = CHUNK_ACCOUNTS_LOCK.format(accounts=f"SELECT l.account_id {EXPIRING}")


@dataclass(frozen=True)
class ExpiryResult:
    """What one expiry run expired."""

    run: RunResult

    def as_dict(self) -> dict[str, Any]:
        """The JSON form printed by `memberclub expire`."""
        return {"lots": self.run.entries, "points": -self.run.points}


@dataclass(frozen=True)
class _Expiry:
    params: dict[str, Any]

    def chunk(self, cursor: CursorWrapper, first: int, last: int) -> ChunkResult:
        params = {**self.params, "first_account": first, "last_account": last}
        joins_by_key(cursor)
        if is_postgres():
            cursor.execute(LOCK_ACCOUNTS, params)
        select = EXPIRING_LOTS.format(next_day=day_after("l.expires_on"))
        written = entries_write(cursor, select=select, params=params, credit=False)
        return ChunkResult(
            accounts=written.accounts,
            entries=sum(written.entries.values()),
            points=sum(written.points.values()),
        )


def expiry_run(
    *,
    program: str,
    as_of: dt.date,
    accounts: AccountRange | None = None,
    worker: WorkerShare | None = None,
    chunk_size: int = DEFAULT_CHUNK_ACCOUNTS,
    progress: Callable[[int, int], None] | None = None,
) -> ExpiryResult:
    """Expire, once, what is left in the program's lots whose expiry date is before `as_of`."""
    if program not in program_codes():
        raise Refused(f"program {program!r} is not loaded")
    # Each expiry is dated the day after its lot's last day, at the latest `as_of`.
    partitions_ensure(through=as_of, from_first=True)
    expiry = _Expiry(params={"program": program, "as_of": as_of, "as_of_text": as_of.isoformat()})
    run = job_run(
        program=program,
        job="expire",
        period=as_of.isoformat(),
        work=expiry.chunk,
        accounts=accounts or AccountRange(),
        worker=worker or WorkerShare(),
        chunk_size=chunk_size,
        progress=progress,
    )
    return ExpiryResult(run=run)
