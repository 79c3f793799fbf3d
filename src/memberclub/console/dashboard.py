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
from memberclub.ledger.models import Lot
from memberclub.programs.selectors import program_codes

# SPEC §4: an easy registration is decided within this many business days.
REVIEW_TARGET_BUSINESS_DAYS = 2
JOBS = ("accrue", "expire")


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
        if Lot.objects.filter(program=program, expires_on__lt=today, remaining__gt=0).exists():
            due.append(DueRun(program=program, job="expire", period=today.isoformat()))
    return due


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
