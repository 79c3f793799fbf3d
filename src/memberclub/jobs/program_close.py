"""`program close`: on the end date every remaining point is forfeited.

Per chunk of accounts, in one transaction: lots that had expired before the end date are
expired first (the expiry job's entries and keys, so either may run first), then one FORFEIT per
account with points left, dated the end date, with a draw per lot and the lots emptied.

Its first run marks the program closed (`ProgramEnd.closed_at`), which ends every membership of
the program on the end date (memberclub.members.selectors: login, storage, notices and the
console read it there) without rewriting every member row, which was a third of each chunk
(docs/decisions.md, program close). The run counts the memberships it ends: those of its
accounts whose member had not left before the end date.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from memberclub.domain.errors import Refused
from memberclub.jobs.expiry import EXPIRING_LOTS
from memberclub.jobs.runner import (
    DEFAULT_CHUNK_ACCOUNTS,
    AccountRange,
    ChunkResult,
    ChunkWork,
    RunResult,
    WorkerShare,
    job_run,
)
from memberclub.jobs.sql import (
    CLAIMED_ENTRIES_PG,
    FRESH_ENTRIES_PG,
    KEYS_OF_NEW_SQLITE,
    NEW_ENTRIES_SQLITE,
    day_after,
    entries_before,
    entries_write,
    fresh_or_claimed,
    is_postgres,
    joins_by_key,
)
from memberclub.ledger.columns import DRAW_COLUMNS, column_list
from memberclub.ledger.partitions import partitions_ensure
from memberclub.programs.ending import program_end_in_force
from memberclub.programs.models import ProgramEnd
from memberclub.programs.selectors import program_codes

# One FORFEIT per account of the chunk with points in lots still usable on the end date.
FORFEITS = """
    SELECT l.program, l.account_id, 'FORFEIT', -SUM(l.remaining), %(ends_on)s,
           CAST(NULL AS DATE), '', '', %(key_prefix)s || l.account_id, %(reason)s, 0,
           CAST(NULL AS BIGINT)
    FROM ledger_lot l
    WHERE l.account_id BETWEEN %(first_account)s AND %(last_account)s
      AND l.program = %(program)s AND l.remaining > 0 AND l.expires_on >= %(ends_on)s
    GROUP BY l.program, l.account_id
"""
# The lots a new forfeit of `{new}` empties (read before they are emptied).
FORFEITED_LOTS = """
    SELECT n.id AS entry_id, l.id AS lot_id, l.account_id, -l.remaining AS points,
           n.effective_on
    FROM {new} n
    JOIN ledger_lot l ON l.account_id = n.account_id
    WHERE l.account_id BETWEEN %(first_account)s AND %(last_account)s
      AND l.remaining > 0 AND l.expires_on >= %(ends_on)s
"""
INSERT_DRAWS = f"INSERT INTO ledger_draw ({column_list(DRAW_COLUMNS)}) "
FORFEIT_PG = """
    WITH {new_forfeits},
         taken AS ({taken}),
         draws AS ({insert_draws} SELECT {draw_columns} FROM taken),
         emptied AS (UPDATE ledger_lot SET remaining = 0
                     FROM taken WHERE ledger_lot.id = taken.lot_id)
    SELECT COUNT(*), COALESCE(SUM(points), 0) FROM new
"""
# The forfeits of a chunk's first run, and of a run that meets a key written before.
FORFEITS_FRESH, FORFEITS_CLAIMED = (
    FORFEIT_PG.format(
        new_forfeits=claim.format(
            select=FORFEITS, returning="id, account_id, points, effective_on"
        ),
        taken=FORFEITED_LOTS.format(new="new"),
        insert_draws=INSERT_DRAWS,
        draw_columns=column_list(DRAW_COLUMNS),
    )
    for claim in (FRESH_ENTRIES_PG, CLAIMED_ENTRIES_PG)
)
# The chunk's members whose membership the end ends (they had not left before it).
MEMBERSHIPS_ENDED = """
    SELECT COUNT(*) FROM ledger_account a JOIN members_member m ON m.id = a.member_id
    WHERE a.program = %(program)s AND a.id BETWEEN %(first_account)s AND %(last_account)s
      AND (m.left_on IS NULL OR m.left_on > %(ends_on)s)
"""


@dataclass(frozen=True)
class CloseResult:
    """What one `program close` run forfeited."""

    program: str
    ends_on: dt.date
    run: RunResult | None

    def as_dict(self) -> dict[str, Any]:
        """The JSON form printed by `memberclub program close`."""
        if self.run is None:
            return {
                "program": self.program,
                "ends_on": self.ends_on.isoformat(),
                "skipped": "the program has not ended yet",
            }
        return {
            "program": self.program,
            "ends_on": self.ends_on.isoformat(),
            "accounts": self.run.accounts,
            "forfeited": -self.run.points,
            "expired": self.run.by_rule.get("expired", 0),
            "members_ended": self.run.by_rule.get("members_ended", 0),
        }


@dataclass(frozen=True)
class _Close:
    params: dict[str, Any]

    def chunk(self, cursor: CursorWrapper, first: int, last: int) -> ChunkResult:
        params = {**self.params, "first_account": first, "last_account": last}
        joins_by_key(cursor)
        select = EXPIRING_LOTS.format(next_day=day_after("l.expires_on"))
        expired = entries_write(
            cursor, select=select, params={**params, "as_of": params["ends_on"]}, credit=False
        )
        forfeits, points = _forfeit(cursor, params)
        cursor.execute(MEMBERSHIPS_ENDED, params)
        ended = int(cursor.fetchone()[0])
        result = ChunkResult(accounts=forfeits, entries=forfeits, points=points)
        result.by_rule["expired"] = -sum(expired.points.values())
        result.by_rule["members_ended"] = ended
        return result


def _forfeit(cursor: CursorWrapper, params: dict[str, Any]) -> tuple[int, int]:
    """Write the chunk's forfeits, their draws and empty their lots; return (entries, points)."""
    if is_postgres():
        ((count, points),) = fresh_or_claimed(
            cursor, fresh=FORFEITS_FRESH, claimed=FORFEITS_CLAIMED, params=params
        )
        return int(count), int(points)
    # SQLite: the transaction holds the only write lock, so the new entries are those above the
    # largest id before them.
    bound = {**params, "entries_before": entries_before(cursor)}
    cursor.execute(NEW_ENTRIES_SQLITE.format(select=FORFEITS), bound)
    cursor.execute(KEYS_OF_NEW_SQLITE, bound)
    new = "(SELECT * FROM ledger_entry WHERE id > %(entries_before)s AND kind = 'FORFEIT')"
    cursor.execute(INSERT_DRAWS + FORFEITED_LOTS.format(new=new), bound)
    cursor.execute(
        "UPDATE ledger_lot SET remaining = 0 WHERE id IN "
        "(SELECT lot_id FROM ledger_draw d JOIN ledger_entry e ON e.id = d.entry_id "
        " WHERE e.id > %(entries_before)s AND e.kind = 'FORFEIT')",
        bound,
    )
    cursor.execute(
        f"SELECT COUNT(*), COALESCE(SUM(points), 0) FROM {new} AS n",
        bound,
    )
    count, points = cursor.fetchone()
    return int(count), int(points)


def close_work(*, end: ProgramEnd) -> ChunkWork:
    """The work of one chunk of the close of `end` (also what bench.close_detail explains)."""
    params = {
        "program": end.program,
        "ends_on": end.ends_on,
        "as_of_text": end.ends_on.isoformat(),
        "key_prefix": f"program-end:{end.pk}:",
        "reason": f"program ended on {end.ends_on}",
    }
    return _Close(params=params).chunk


def program_close_run(
    *,
    program: str,
    on: dt.date,
    accounts: AccountRange | None = None,
    worker: WorkerShare | None = None,
    chunk_size: int = DEFAULT_CHUNK_ACCOUNTS,
    progress: Callable[[int, int], None] | None = None,
) -> CloseResult:
    """From the end date on, forfeit every remaining point of the program, once."""
    if program not in program_codes():
        raise Refused(f"program {program!r} is not loaded")
    end = program_end_in_force(program=program)
    if end is None:
        raise Refused(f"no end of {program!r} is scheduled (program end first)")
    if on < end.ends_on:
        return CloseResult(program=program, ends_on=end.ends_on, run=None)
    # The forfeits are dated the end date, the expiries before it up to it.
    partitions_ensure(through=end.ends_on, from_first=True)
    ProgramEnd.objects.filter(pk=end.pk, closed_at__isnull=True).update(closed_at=timezone.now())
    run = job_run(
        program=program,
        job="close",
        period=f"end-{end.pk}",
        work=close_work(end=end),
        accounts=accounts or AccountRange(),
        worker=worker or WorkerShare(),
        chunk_size=chunk_size,
        progress=progress,
    )
    return CloseResult(program=program, ends_on=end.ends_on, run=run)
