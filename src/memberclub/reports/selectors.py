"""The finance reports of a program, read from the journal summary (never the journal itself).

A balance "as of" a day D (SPEC §6) counts the points effective on or before D in lots that
have not expired by D, so a lot past its expiry date is not outstanding even when the expiry
job has not run yet. Each roll-forward therefore ties: opening + movements = closing, where
`expired` is the EXPIRE entries of the period plus the change in points that have expired
without the job having written them ("pending" below).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Q, QuerySet, Sum

from memberclub.domain.calendar import first_of_month
from memberclub.domain.errors import Refused
from memberclub.domain.fiscal import fiscal_year, fiscal_year_end, fiscal_year_start
from memberclub.domain.program import ProgramDefinition
from memberclub.programs.models import ProgramVersion
from memberclub.programs.selectors import program_on
from memberclub.reports.models import EntrySummary, LotFlow

# The kinds whose movements the roll-forward shows, each with its sign as shown (debits > 0).
MOVEMENTS = {
    "GRANT": ("issued", 1),
    "REDEEM": ("redeemed", -1),
    "REFUND": ("refunded", 1),
    "EXPIRE": ("expired", -1),
    "FORFEIT": ("forfeited", -1),
    "REVOKE": ("revoked", -1),
    "ADJUST": ("adjusted", 1),
}
FIELDS = ("opening", *(name for name, _ in MOVEMENTS.values()), "closing")


@dataclass
class RollForward:
    """Opening + issued − redeemed + refunded − expired − forfeited − revoked + adjusted."""

    start: dt.date
    end: dt.date
    opening: int = 0
    issued: int = 0
    redeemed: int = 0
    refunded: int = 0
    expired: int = 0
    forfeited: int = 0
    revoked: int = 0
    adjusted: int = 0
    closing: int = 0
    # Issued points by accrual rule, redeemed points by fulfilment kind.
    issued_by_rule: dict[str, int] = field(default_factory=dict)
    redeemed_by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready values."""
        data = asdict(self)
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        return data


@dataclass
class Liability(RollForward):
    """The roll-forward of one program over a fiscal year, with its months when asked."""

    program: str = ""
    fiscal_year: int = 0
    # Filled only when asked for by month.
    months: list[RollForward] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready values, months included."""
        data = super().as_dict()
        data["months"] = [month.as_dict() for month in self.months]
        return data


def program_definition(*, program: str, on: dt.date) -> ProgramDefinition:
    """The program in force on `on`, or its first version for a day before it existed."""
    try:
        return program_on(program=program, on=on)
    except Refused:
        first = ProgramVersion.objects.filter(program=program).order_by("effective_on").first()
        if first is None:
            raise
        return program_on(program=program, on=first.effective_on)


def fiscal_year_bounds(*, program: str, year: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the program's fiscal year `year`."""
    start_month = program_definition(
        program=program, on=dt.date(year, 12, 31)
    ).fiscal_year_start_month
    return (
        fiscal_year_start(year, start_month=start_month),
        fiscal_year_end(year, start_month=start_month),
    )


def _month_ends(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    months = []
    first = start
    while first <= end:
        following = first_of_month(first.year, first.month + 1)
        months.append((first, min(end, following - dt.timedelta(days=1))))
        first = following
    return months


def _flows(program: str) -> QuerySet[LotFlow]:
    return LotFlow.objects.filter(program=program)


def balances_as_of(*, program: str, days: list[dt.date]) -> dict[dt.date, tuple[int, int]]:
    """Per day D: (outstanding as of D, points expired by D that no EXPIRE entry has taken)."""
    sums = _flows(program).aggregate(
        **{
            f"held_{n}": Sum("points", filter=Q(on__lte=day, expires_on__gte=day))
            for n, day in enumerate(days)
        },
        **{
            f"pending_{n}": Sum("points", filter=Q(on__lte=day, expires_on__lt=day))
            for n, day in enumerate(days)
        },
    )
    return {
        day: (int(sums[f"held_{n}"] or 0), int(sums[f"pending_{n}"] or 0))
        for n, day in enumerate(days)
    }


def liability_roll_forward(*, program: str, fiscal_year: int, by_month: bool = False) -> Liability:
    """The liability of a program over a fiscal year (and, with by_month, each of its months)."""
    start, end = fiscal_year_bounds(program=program, year=fiscal_year)
    months = _month_ends(start, end)
    days = [start - dt.timedelta(days=1), *(last for _, last in months)]
    balances = balances_as_of(program=program, days=days)
    rows = (
        EntrySummary.objects.filter(program=program, on__gte=start, on__lte=end)
        .values_list("on", "kind", "rule")
        .annotate(points=Sum("points"))
    )
    periods = [RollForward(start=first, end=last) for first, last in months]
    for on, kind, rule, points in rows:
        period = periods[(on.year - start.year) * 12 + on.month - start.month]
        name, sign = MOVEMENTS[kind]
        setattr(period, name, getattr(period, name) + sign * int(points))
        if kind == "GRANT":
            period.issued_by_rule[rule] = period.issued_by_rule.get(rule, 0) + int(points)
        elif kind == "REDEEM":
            period.redeemed_by_kind[rule] = period.redeemed_by_kind.get(rule, 0) - int(points)
    before = days[0]
    for period in periods:
        period.opening = balances[before][0]
        period.closing = balances[period.end][0]
        # Points that expired without the job count as expired in the month they expired.
        period.expired += balances[period.end][1] - balances[before][1]
        before = period.end
    total = Liability(start=start, end=end, program=program, fiscal_year=fiscal_year)
    total.opening, total.closing = periods[0].opening, periods[-1].closing
    for period in periods:
        for name, _ in MOVEMENTS.values():
            setattr(total, name, getattr(total, name) + getattr(period, name))
        for target, source in (
            (total.issued_by_rule, period.issued_by_rule),
            (total.redeemed_by_kind, period.redeemed_by_kind),
        ):
            for key, value in source.items():
                target[key] = target.get(key, 0) + value
    if by_month:
        total.months = periods
    return total


@dataclass(frozen=True)
class Outstanding:
    """Points held as of a day, by the last day they can be used."""

    expires_on: dt.date
    points: int


def outstanding_by_expiry(*, program: str, as_of: dt.date) -> list[Outstanding]:
    """What the program's members hold as of `as_of`, and when it will expire."""
    rows = (
        _flows(program)
        .filter(on__lte=as_of, expires_on__gte=as_of)
        .values_list("expires_on")
        .annotate(points=Sum("points"))
        .order_by("expires_on")
    )
    return [Outstanding(expires_on=on, points=int(points)) for on, points in rows if points]


@dataclass(frozen=True)
class Cohort:
    """The points issued in one fiscal year, and how many expired or were forfeited so far."""

    fiscal_year: int
    expires_on: dt.date
    issued: int
    expired: int
    forfeited: int
    outstanding: int

    @property
    def breakage(self) -> float:
        """The share of the issued points expired or forfeited (0 when none were issued)."""
        return (self.expired + self.forfeited) / self.issued if self.issued else 0.0


def breakage_by_cohort(*, program: str, as_of: dt.date) -> list[Cohort]:
    """Per fiscal year of issue up to `as_of`: issued, expired, forfeited and still held."""
    start_month = program_definition(program=program, on=as_of).fiscal_year_start_month
    issued: dict[int, int] = defaultdict(int)
    for on, points in (
        EntrySummary.objects.filter(program=program, kind="GRANT", on__lte=as_of)
        .values_list("on")
        .annotate(points=Sum("points"))
    ):
        issued[fiscal_year(on, start_month=start_month)] += int(points)
    flows = (
        _flows(program)
        .filter(on__lte=as_of)
        .values_list("expires_on")
        .annotate(
            held=Sum("points"),
            adjusted=Sum("points", filter=Q(kind="ADJUST")),
            expired=Sum("points", filter=Q(kind="EXPIRE")),
            forfeited=Sum("points", filter=Q(kind="FORFEIT")),
        )
    )
    by_expiry = {row[0]: [int(value or 0) for value in row[1:]] for row in flows}
    # Adjustments count with the points issued into the cohort's lots.
    cohorts = []
    for year in sorted(issued):
        first = fiscal_year_start(year, start_month=start_month)
        expires_on = program_definition(program=program, on=first).expiry_policy.expires_on(first)
        held, adjusted, expired, forfeited = by_expiry.get(expires_on, [0, 0, 0, 0])
        # A lot past its expiry date holds nothing as of today: what is left there has expired.
        lapsed = held if expires_on < as_of else 0
        cohorts.append(
            Cohort(
                fiscal_year=year,
                expires_on=expires_on,
                issued=issued[year] + adjusted,
                expired=-expired + lapsed,
                forfeited=-forfeited,
                outstanding=held - lapsed,
            )
        )
    return cohorts
