"""When a membership ends: the member's own leaving, or the close of the member's program.

`Member.left_on` records a member's own end (leaving, cancellation, east conversion). A program
end (SPEC §3.4) ends every membership of the program on its end date too, but is recorded once,
on the program's end (`ProgramEnd.closed_at`, set when `program close` first runs): the close
does not rewrite a million member rows, which was a third of its time (docs/decisions.md,
program close). Every read of "has this membership ended, and when" goes through here.
"""

import datetime as dt
from typing import Any

from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, When

from memberclub.members.models import Member
from memberclub.programs.models import ProgramEnd


def programs_closed() -> "QuerySet[ProgramEnd, str]":
    """The codes of the programs whose close has run (a subquery where it is used in one)."""
    return ProgramEnd.objects.filter(canceled_on__isnull=True, closed_at__isnull=False).values_list(
        "program", flat=True
    )


def program_closed_on(*, program: str) -> dt.date | None:
    """The end date of the program once its close has run, else None."""
    return (
        ProgramEnd.objects.filter(
            program=program, canceled_on__isnull=True, closed_at__isnull=False
        )
        .values_list("ends_on", flat=True)
        .first()
    )


def membership_left_on(*, member: Member) -> dt.date | None:
    """The first day without membership: the member's own leaving or the program's end."""
    closed = program_closed_on(program=member.program)
    dates = [day for day in (member.left_on, closed) if day is not None]
    return min(dates) if dates else None


def current_q(*, prefix: str = "") -> Q:
    """Members (reached through `prefix`, e.g. "member__") whose membership has not ended."""
    return Q(**{f"{prefix}left_on__isnull": True}) & ~Q(
        **{f"{prefix}program__in": programs_closed()}
    )


def current_members(queryset: QuerySet[Member]) -> QuerySet[Member]:
    """The members of `queryset` whose membership has not ended."""
    return queryset.filter(current_q())


def former_members(queryset: QuerySet[Member]) -> QuerySet[Member]:
    """The members of `queryset` whose membership has ended."""
    return queryset.exclude(current_q())


def current_member_sql(member: str) -> str:
    """SQL that is true when the member row aliased `member` is current."""
    return (
        f"({member}.left_on IS NULL AND NOT EXISTS (SELECT 1 FROM programs_programend pe"
        f" WHERE pe.program = {member}.program AND pe.canceled_on IS NULL"
        " AND pe.closed_at IS NOT NULL))"
    )


def with_left_on(queryset: QuerySet[Any], *, prefix: str = "") -> QuerySet[Any]:
    """`queryset` annotated with `membership_left_on`, what membership_left_on() says of each
    row's member (reached through `prefix`), for lists that show or sort by it."""
    closed = Subquery(
        ProgramEnd.objects.filter(
            program=OuterRef(f"{prefix}program"), canceled_on__isnull=True, closed_at__isnull=False
        ).values("ends_on")[:1]
    )
    own = f"{prefix}left_on"
    annotated: QuerySet[Any] = queryset.annotate(program_closed_on=closed).annotate(
        membership_left_on=Case(
            When(
                Q(program_closed_on__isnull=False)
                & (Q(**{f"{own}__isnull": True}) | Q(**{f"{own}__gt": F("program_closed_on")})),
                then=F("program_closed_on"),
            ),
            default=F(own),
        )
    )
    return annotated
