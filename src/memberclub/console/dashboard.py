"""What the console's home shows: the jobs, the email queue, letters and the review queue."""

import datetime as dt
from dataclasses import dataclass

import holidays
from django.db.models import Count, Max, Min, Sum
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from memberclub.access.models import AuthKey, AuthKeyStatus, EasyRegistration, EasyStatus
from memberclub.domain.calendar import first_of_month
from memberclub.formats import JST
from memberclub.jobs.models import JobRun
from memberclub.members.models import Member
from memberclub.members.selectors import current_members
from memberclub.notifications.models import MailStatus, NoticeMail
from memberclub.programs.selectors import program_codes, program_on
from memberclub.reports.selectors import balances_as_of

# SPEC §4: an easy registration is decided within this many business days.
REVIEW_TARGET_BUSINESS_DAYS = 2
JOBS = ("accrue", "expire")
# The most recent bouncing addresses listed on the dashboard (the count covers all).
BOUNCING_SHOWN = 5


@dataclass(frozen=True)
class LastRun:
    """The latest run of one job of one program."""

    program: str
    job: str
    period: str
    accounts: int
    points: int
    started_at: dt.datetime
    seconds: float | None
    completed: bool


@dataclass(frozen=True)
class DueRun:
    """A run the schedule expects and that has not completed."""

    program: str
    job: str
    period: str


def job_runs_last() -> list[LastRun]:
    """Per program and job, its latest run with what its chunks wrote."""
    runs = []
    for program in sorted(program_codes()):
        for job in JOBS:
            run = JobRun.objects.filter(program=program, job=job).order_by("-period").first()
            if run is None:
                continue
            totals = run.chunks.aggregate(
                accounts=Sum("accounts"), points=Sum("points"), last=Max("done_at")
            )
            end = run.completed_at or totals["last"]
            runs.append(
                LastRun(
                    program=program,
                    job=job,
                    period=run.period,
                    accounts=int(totals["accounts"] or 0),
                    points=int(totals["points"] or 0),
                    started_at=run.started_at,
                    seconds=(end - run.started_at).total_seconds() if end else None,
                    completed=run.completed_at is not None,
                )
            )
    return runs


def job_runs_due(*, today: dt.date) -> list[DueRun]:
    """This month's accrual not yet complete, and an expiry run where lots are past expiry."""
    due = []
    month = first_of_month(today.year, today.month)
    for program in sorted(program_codes()):
        period = f"{month:%Y-%m}"
        if not JobRun.objects.filter(
            program=program, job="accrue", period=period, completed_at__isnull=False
        ).exists():
            due.append(DueRun(program=program, job="accrue", period=period))
        # Points past their expiry date that no EXPIRE entry has taken, from the lot flow.
        if balances_as_of(program=program, days=[today])[today][1] > 0:
            due.append(DueRun(program=program, job="expire", period=today.isoformat()))
    return due


@dataclass(frozen=True)
class Bouncing:
    """A current member whose address the mail server refused, and since when."""

    pk: int
    member_id: str
    email: str
    since: dt.datetime


@dataclass(frozen=True)
class MailQueue:
    """The dashboard's email queue: transactional email (the task queue), club notices (the
    notice outbox) and the addresses that bounce."""

    queued: int
    running: int
    failed: int
    notices_queued: int
    notices_failed: int
    bouncing: int
    bouncing_latest: list[Bouncing]


def mail_queue() -> MailQueue:
    """Email waiting, being sent and failed; notices waiting and failed; bouncing addresses."""
    tasks = email_queue()
    notices = dict(
        NoticeMail.objects.filter(status__in=(MailStatus.QUEUED, MailStatus.FAILED))
        .values_list("status")
        .annotate(n=Count("id"))
    )
    # Members who left get no mail: their addresses are no one's concern any more.
    bouncing = current_members(Member.objects.filter(email_bouncing_since__isnull=False))
    latest = bouncing.order_by("-email_bouncing_since", "-pk")[:BOUNCING_SHOWN]
    return MailQueue(
        queued=tasks["queued"],
        running=tasks["running"],
        failed=tasks["failed"],
        notices_queued=notices.get(MailStatus.QUEUED, 0),
        notices_failed=notices.get(MailStatus.FAILED, 0),
        bouncing=bouncing.count(),
        bouncing_latest=[
            Bouncing(pk=m.pk, member_id=m.member_id, email=m.email, since=m.email_bouncing_since)
            for m in latest.only("pk", "member_id", "email", "email_bouncing_since")
            if m.email_bouncing_since is not None
        ],
    )


@dataclass(frozen=True)
class ProgramLink:
    """A program and its name, for the links to its program-end page."""

    code: str
    name: str


def program_links(*, today: dt.date) -> list[ProgramLink]:
    """Every loaded program by its name as in force today."""
    return [
        ProgramLink(code=code, name=program_on(program=code, on=today).name_ja)
        for code in sorted(program_codes())
    ]


def email_queue() -> dict[str, int]:
    """Emails waiting to be sent, being sent, and failed for good."""
    counts = dict(
        DBTaskResult.objects.filter(task_path__startswith="memberclub.notifications.")
        .exclude(status=TaskResultStatus.SUCCESSFUL)
        .values_list("status")
        .annotate(n=Count("id"))
    )
    return {
        "queued": counts.get(TaskResultStatus.READY, 0),
        "running": counts.get(TaskResultStatus.RUNNING, 0),
        "failed": counts.get(TaskResultStatus.FAILED, 0),
    }


def letters_waiting() -> tuple[int, dt.datetime | None]:
    """Auth-key letters queued for the printer, and when the oldest was asked for."""
    found = AuthKey.objects.filter(status=AuthKeyStatus.QUEUED).aggregate(
        n=Count("id"), oldest=Min("requested_at")
    )
    return int(found["n"]), found["oldest"]


def business_days_between(first: dt.date, last: dt.date) -> int:
    """Business days after `first` up to `last` (weekends and Japanese holidays excluded)."""
    closed = holidays.country_holidays("JP", years=range(first.year, last.year + 1))
    days = 0
    day = first
    while day < last:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in closed:
            days += 1
    return days


@dataclass(frozen=True)
class ReviewQueue:
    """Easy registrations waiting for review, and the oldest one's age in business days."""

    waiting: int
    oldest_at: dt.datetime | None
    oldest_business_days: int

    @property
    def late(self) -> bool:
        """True when the oldest request has waited past the target."""
        return self.oldest_business_days > REVIEW_TARGET_BUSINESS_DAYS


def review_queue(*, today: dt.date) -> ReviewQueue:
    """The easy-registration queue against its two-business-day target."""
    found = EasyRegistration.objects.filter(status=EasyStatus.PENDING).aggregate(
        n=Count("id"), oldest=Min("created_at")
    )
    oldest = found["oldest"]
    age = business_days_between(oldest.astimezone(JST).date(), today) if oldest else 0
    return ReviewQueue(waiting=int(found["n"]), oldest_at=oldest, oldest_business_days=age)
