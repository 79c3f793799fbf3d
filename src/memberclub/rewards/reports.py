"""The points liability of a program over one fiscal year, rolled forward from the journal."""

from dataclasses import dataclass

from django.db.models import Q, Sum

from memberclub.domain.fiscal import fiscal_year_end, fiscal_year_start
from memberclub.ledger.models import Entry, EntryKind
from memberclub.programs.selectors import program_on


@dataclass(frozen=True)
class Liability:
    """Opening + movements = closing, in points, for one program and fiscal year."""

    program: str
    fiscal_year: int
    opening: int
    issued: int
    redeemed: int
    refunded: int
    expired: int
    forfeited: int
    revoked: int
    adjusted: int
    closing: int


def liability_roll_forward(*, program: str, fiscal_year: int) -> Liability:
    """Sum the journal by kind over the fiscal year (entries dated by their effective date)."""
    start_month = program_on(
        program=program, on=fiscal_year_start(fiscal_year, start_month=4)
    ).fiscal_year_start_month
    start = fiscal_year_start(fiscal_year, start_month=start_month)
    end = fiscal_year_end(fiscal_year, start_month=start_month)
    entries = Entry.objects.filter(program=program)
    in_year = Q(effective_on__gte=start, effective_on__lte=end)
    sums = entries.aggregate(
        opening=Sum("points", filter=Q(effective_on__lt=start)),
        **{kind.lower(): Sum("points", filter=in_year & Q(kind=kind)) for kind in EntryKind.values},
    )
    moved = {key: int(value or 0) for key, value in sums.items()}
    net = sum(moved[kind.lower()] for kind in EntryKind.values)
    return Liability(
        program=program,
        fiscal_year=fiscal_year,
        opening=moved["opening"],
        issued=moved["grant"],
        redeemed=-moved["redeem"],
        refunded=moved["refund"],
        expired=-moved["expire"],
        forfeited=-moved["forfeit"],
        revoked=-moved["revoke"],
        adjusted=moved["adjust"],
        closing=moved["opening"] + net,
    )
