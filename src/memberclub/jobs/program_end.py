"""`program end`: schedule or withdraw a program end and queue its mail to every member."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from memberclub.domain.program_end import EndDates
from memberclub.jobs.notice_sql import NoticeKind, moment, notices_insert
from memberclub.jobs.notices import end_notice_kinds, sendable_from
from memberclub.jobs.runner import AccountRange, ChunkResult, WorkerShare, job_run
from memberclub.notifications.models import MailStatus, NoticeMail
from memberclub.programs.ending import program_end_schedule, program_end_withdraw
from memberclub.programs.models import ProgramEnd

# The withdrawal notice goes to those who were told of the end (its mail was sent).
CANCEL_NOTICES = """
    INSERT INTO notifications_noticemail (member_id, program, kind, period, status, balance,
        expires_on, expiring_points, send_after, attempts, sent_to, last_error, created_at)
    SELECT n.member_id, n.program, 'program_end_canceled', n.period, 'QUEUED', NULL, NULL, NULL,
           %(send_after)s, 0, '', '', %(now)s
    FROM notifications_noticemail n
    JOIN members_member m ON m.id = n.member_id
    WHERE n.program = %(program)s AND n.period = %(period)s AND n.kind = 'program_end'
      AND n.status = 'SENT' AND m.left_on IS NULL
    ON CONFLICT (member_id, kind, period) DO NOTHING
"""


@dataclass(frozen=True)
class EndOutcome:
    """A scheduled or withdrawn end and the mail it queued."""

    end: ProgramEnd
    queued: Counter[str]

    def as_dict(self) -> dict[str, Any]:
        """The JSON form printed by `memberclub program end`."""
        end = self.end
        return {
            "program": end.program,
            "announce_on": end.announce_on.isoformat(),
            "registration_closes_on": end.registration_closes_on.isoformat(),
            "last_accrual_month": f"{end.last_accrual_month:%Y-%m}",
            "ends_on": end.ends_on.isoformat(),
            "canceled_on": end.canceled_on.isoformat() if end.canceled_on else None,
            "queued": sum(self.queued.values()),
            "by_kind": dict(self.queued),
        }


@dataclass(frozen=True)
class _EndMail:
    kinds: tuple[NoticeKind, ...]
    params: dict[str, Any]

    def chunk(self, cursor: Any, first: int, last: int) -> ChunkResult:
        params = {**self.params, "first_account": first, "last_account": last}
        by_kind = notices_insert(cursor, kinds=self.kinds, params=params)
        return ChunkResult(entries=sum(by_kind.values()), by_rule=Counter(by_kind))


def end_mail_queue(*, program: str, on: dt.date) -> Counter[str]:
    """Queue the end notice and its reminder to every current member (once each)."""
    kinds = end_notice_kinds(program=program, on=on)
    if not kinds:
        return Counter()
    work = _EndMail(
        kinds=tuple(kinds),
        params={"program": program, "as_of": on, "expiry": None, "now": timezone.now()},
    )
    run = job_run(
        program=program,
        job="end-mail",
        period=kinds[0].period,
        work=work.chunk,
        accounts=AccountRange(),
        worker=WorkerShare(),
    )
    return Counter(run.by_rule)


def program_end_announce(*, program: str, dates: EndDates, by: str, on: dt.date) -> EndOutcome:
    """Schedule a program end (refused, changing nothing, when its dates are not allowed) and
    queue its mail, sent from the announcement date."""
    end = program_end_schedule(program=program, dates=dates, by=by)
    return EndOutcome(end=end, queued=end_mail_queue(program=program, on=on))


def program_end_cancel(*, program: str, on: dt.date) -> EndOutcome:
    """Withdraw a scheduled end before its end date: unsent end mail is withdrawn too, and
    those who were told get a notice that the program goes on."""
    with transaction.atomic():
        end = program_end_withdraw(program=program, on=on)
        period = f"end-{end.pk}"
        NoticeMail.objects.filter(
            program=program,
            period=period,
            kind__in=("program_end", "program_end_reminder"),
            status=MailStatus.QUEUED,
        ).update(status=MailStatus.CANCELED, lease_until=None)
        with connection.cursor() as cursor:
            cursor.execute(
                CANCEL_NOTICES,
                {
                    "program": program,
                    "period": period,
                    "send_after": moment(sendable_from(on)),
                    "now": moment(timezone.now()),
                },
            )
            queued = cursor.rowcount
    return EndOutcome(end=end, queued=Counter({"program_end_canceled": queued}))
