"""`notices`: the month's club notices queued set-based, once per (member, kind, period)."""

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from memberclub.domain.accrual import month_key
from memberclub.domain.errors import Refused
from memberclub.jobs.notice_sql import NoticeKind, notices_insert
from memberclub.jobs.runner import (
    DEFAULT_CHUNK_ACCOUNTS,
    AccountRange,
    ChunkResult,
    RunResult,
    WorkerShare,
    job_run,
)
from memberclub.ledger.selectors import as_of_index_refresh
from memberclub.programs.ending import end_dates, program_end_in_force
from memberclub.programs.selectors import program_codes, program_on

JST = ZoneInfo("Asia/Tokyo")
MONTHLY_KINDS = ("balance", "expiry_warning")
END_KINDS = ("program_end", "program_end_reminder")


def sendable_from(day: dt.date) -> dt.datetime:
    """The moment a notice of `day` may be sent: the start of that day in Japan, or now when
    it has begun already (a late run sends at once)."""
    return max(timezone.now(), dt.datetime.combine(day, dt.time(0), tzinfo=JST))


@dataclass
class NoticesResult:
    """What one `notices` run queued."""

    program: str
    month: str
    run: RunResult
    kinds: tuple[str, ...]
    by_kind: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form printed by `memberclub notices`."""
        queued = sum(self.by_kind.values())
        result: dict[str, Any] = {
            "program": self.program,
            "month": self.month,
            "queued": queued,
            "by_kind": {kind: self.by_kind.get(kind, 0) for kind in self.kinds},
        }
        if queued == 0:
            result["note"] = "nothing new to queue: every notice of this month is queued already"
        return result


@dataclass(frozen=True)
class _Notices:
    kinds: tuple[NoticeKind, ...]
    params: dict[str, Any]

    def chunk(self, cursor: CursorWrapper, first: int, last: int) -> ChunkResult:
        params = {**self.params, "first_account": first, "last_account": last}
        by_kind = notices_insert(cursor, kinds=self.kinds, params=params)
        return ChunkResult(
            accounts=0, entries=sum(by_kind.values()), points=0, by_rule=Counter(by_kind)
        )


def end_notice_kinds(*, program: str, on: dt.date) -> list[NoticeKind]:
    """The program-end mail due to members who exist on `on` (top-ups for late joiners)."""
    end = program_end_in_force(program=program)
    if end is None or on >= end.ends_on:
        return []
    dates = end_dates(end)
    rules = program_on(program=program, on=end.announce_on).notices
    period = f"end-{end.pk}"
    kinds = [NoticeKind("program_end", period, sendable_from(end.announce_on))]
    reminder = dates.reminder_on(reminder_days=rules.program_end_reminder_days)
    if reminder is not None:
        kinds.append(NoticeKind("program_end_reminder", period, sendable_from(reminder)))
    return kinds


def notices_run(
    *,
    program: str,
    month: dt.date,
    accounts: AccountRange | None = None,
    worker: WorkerShare | None = None,
    chunk_size: int = DEFAULT_CHUNK_ACCOUNTS,
    progress: Callable[[int, int], None] | None = None,
) -> NoticesResult:
    """Queue the month's balance notices and, in the program's warning month, expiry warnings."""
    if program not in program_codes():
        raise Refused(f"program {program!r} is not loaded")
    as_of = month.replace(day=1)
    definition = program_on(program=program, on=as_of)
    expiry = definition.expiry_policy.next_expiry_on(as_of)
    period = month_key(as_of)
    # The monthly notices go as soon as they are queued: the schedule runs `notices` on the
    # month's first day, and a late run should not wait.
    now = timezone.now()
    kinds = [NoticeKind("balance", period, now)]
    if as_of.month == definition.notices.expiry_warning_month:
        kinds.append(NoticeKind("expiry_warning", period, now))
    kinds += end_notice_kinds(program=program, on=as_of)
    # Every chunk reads balances as of the day through the journal's date index.
    as_of_index_refresh()
    work = _Notices(
        kinds=tuple(kinds),
        params={"program": program, "as_of": as_of, "expiry": expiry, "now": now},
    )
    run = job_run(
        program=program,
        job="notices",
        period=period,
        work=work.chunk,
        accounts=accounts or AccountRange(),
        worker=worker or WorkerShare(),
        chunk_size=chunk_size,
        progress=progress,
    )
    shown = MONTHLY_KINDS + tuple(kind.kind for kind in kinds if kind.kind in END_KINDS)
    return NoticesResult(
        program=program, month=period, run=run, kinds=shown, by_kind=Counter(run.by_rule)
    )
