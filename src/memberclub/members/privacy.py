"""Anonymising members who left (SPEC §10, Japan's APPI): once the program's retention has
passed, their email, nickname and login are replaced by placeholders; the member ID, the
contract (customer ID) and the journal stay, so the books still add up."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models.functions import Cast, Concat

from memberclub.members.models import ANONYMISED_DOMAIN, Member
from memberclub.programs.selectors import program_codes, program_on

CHUNK = 5_000
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
        due = Member.objects.filter(program=code, left_on__lt=cutoffs[code]).exclude(
            email__endswith=ANONYMISED_DOMAIN
        )
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


def _anonymise(ids: list[int]) -> int:
    """Replace the personal data of these members and of their logins, set-based."""
    placeholder = Concat(
        models.Value("anonymised-"), Cast("pk", models.CharField()), models.Value(ANONYMISED_DOMAIN)
    )
    with transaction.atomic():
        get_user_model().objects.filter(member__pk__in=ids).update(
            username=Concat(models.Value("anonymised-"), Cast("pk", models.CharField())),
            password="!",  # noqa: S106 - Django's mark of an unusable password
            email="",
            first_name="",
            last_name="",
            is_active=False,
        )
        return Member.objects.filter(pk__in=ids).update(email=placeholder, nickname="-")
