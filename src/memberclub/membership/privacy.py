"""Anonymising members who left (SPEC §10, Japan's APPI): once the program's retention has
passed, their email, nickname and login are replaced by placeholders, and so is every copy of
their address and name in the mail records (sent email, the notice outbox, the task queue,
registration requests); the member ID, the contract (customer ID) and the journal stay, so
the books still add up."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models.functions import Cast, Concat
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from memberclub.access.models import EasyRegistration, SignupToken
from memberclub.members.models import ANONYMISED_DOMAIN, Member
from memberclub.members.selectors import program_closed_on
from memberclub.notifications.models import NoticeMail, SentEmail
from memberclub.programs.selectors import program_codes, program_on

CHUNK = 5_000
# What a copy of an address becomes where the member it belonged to is not recorded.
ANONYMISED_ADDRESS = "anonymised" + ANONYMISED_DOMAIN
# Told of each chunk, in its transaction: the program, the cut-off date, the member IDs.
Recorder = Callable[[str, str, list[str]], None]


@dataclass(frozen=True)
class Anonymised:
    """How many members were anonymised now, per program, and the cut-off date of each."""

    as_of: dt.date
    members: dict[str, int]
    left_before: dict[str, dt.date]

    def as_dict(self) -> dict[str, object]:
        """The JSON result of `members anonymise`."""
        return {
            "as_of": self.as_of.isoformat(),
            "anonymised": sum(self.members.values()),
            "by_program": self.members,
            "left_before": {code: day.isoformat() for code, day in self.left_before.items()},
        }


def members_anonymise(*, as_of: dt.date, record: Recorder | None = None) -> Anonymised:
    """Anonymise every member who left more than the retention days before `as_of`; members
    already anonymised are left alone, so a second run changes nothing."""
    counts: dict[str, int] = {}
    cutoffs: dict[str, dt.date] = {}
    for code in sorted(program_codes()):
        retention = program_on(program=code, on=as_of).privacy.retention_days
        cutoffs[code] = as_of - dt.timedelta(days=retention)
        # Left before the cutoff, or all of the program when its close ended them before it.
        due = Member.objects.filter(program=code).exclude(email__endswith=ANONYMISED_DOMAIN)
        closed_on = program_closed_on(program=code)
        if closed_on is None or closed_on >= cutoffs[code]:
            due = due.filter(left_on__lt=cutoffs[code])
        counts[code], last = 0, 0
        # In chunks of member IDs, each its own transaction: a long run holds no lock for long
        # and, killed, resumes where it stopped (what is done is no longer due).
        while ids := list(
            due.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK]
        ):
            last = ids[-1]
            with transaction.atomic():
                counts[code] += _anonymise(ids)
                if record is not None:
                    member_ids = Member.objects.filter(pk__in=ids).order_by("pk")
                    record(
                        code,
                        cutoffs[code].isoformat(),
                        list(member_ids.values_list("member_id", flat=True)),
                    )
    return Anonymised(as_of=as_of, members=counts, left_before=cutoffs)


def _placeholder(member_key: str) -> Concat:
    """anonymised-<member pk>@anonymised.invalid, from the column holding the member's key."""
    return Concat(
        models.Value("anonymised-"),
        Cast(member_key, models.CharField()),
        models.Value(ANONYMISED_DOMAIN),
    )


def _addresses(ids: list[int]) -> list[str]:
    """Every address these members are known by: theirs now, those their notices went to and
    those they registered with (an address changed since is in the older rows)."""
    found = set(Member.objects.filter(pk__in=ids).values_list("email", flat=True))
    found.update(NoticeMail.objects.filter(member_id__in=ids).values_list("sent_to", flat=True))
    found.update(SignupToken.objects.filter(member_id__in=ids).values_list("email", flat=True))
    found.discard("")
    # An address a member who stays still uses is theirs too, and is kept.
    kept = set(
        Member.objects.filter(email__in=found).exclude(pk__in=ids).values_list("email", flat=True)
    )
    return sorted(found - kept)


def _copies_anonymise(ids: list[int]) -> None:
    """Replace the copies of these members' addresses and names in the mail records."""
    addresses = _addresses(ids)
    SentEmail.objects.filter(to__in=addresses).update(to=ANONYMISED_ADDRESS)
    # A bounce's error text quotes the address.
    NoticeMail.objects.filter(member_id__in=ids).exclude(sent_to="").update(
        sent_to=_placeholder("member_id")
    )
    NoticeMail.objects.filter(member_id__in=ids).exclude(last_error="").update(last_error="")
    SignupToken.objects.filter(member_id__in=ids).update(
        email=_placeholder("member_id"), nickname="-"
    )
    EasyRegistration.objects.filter(email__in=addresses).update(
        email=ANONYMISED_ADDRESS, nickname="-"
    )
    # Finished email tasks keep the address and the names they were given (nickname, the
    # holder's name, a delivery address); one that has run has no further use.
    DBTaskResult.objects.filter(
        task_path__startswith="memberclub.notifications.",
        status__in=(TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED),
        args_kwargs__kwargs__to__in=addresses,
    ).delete()


def _anonymise(ids: list[int]) -> int:
    """Replace the personal data of these members, of their logins and of their mail records,
    set-based."""
    placeholder = _placeholder("pk")
    with transaction.atomic():
        _copies_anonymise(ids)
        get_user_model().objects.filter(member__pk__in=ids).update(
            username=Concat(models.Value("anonymised-"), Cast("pk", models.CharField())),
            password="!",  # noqa: S106 - Django's mark of an unusable password
            email="",
            first_name="",
            last_name="",
            is_active=False,
        )
        return Member.objects.filter(pk__in=ids).update(email=placeholder, nickname="-")
