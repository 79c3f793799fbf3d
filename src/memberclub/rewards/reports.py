"""The points liability of a program over one fiscal year, rolled forward from the journal."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, Sum

from memberclub.domain.fiscal import fiscal_year_end, fiscal_year_start
from memberclub.ledger.models import Entry, EntryKind
from memberclub.ledger.selectors import program_balance
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
    """Opening and closing are the program's balance as of the day before the year and its last
    day (the ledger's one definition, `program_balance`); the movements sum the journal by kind
    over the year (entries dated by their effective date).

    Points in lots that expired within the year whose EXPIRE entry the expiry job has not yet
    written are counted as expired, so the roll-forward foots whenever the job runs.
    """
    start_month = program_on(
        program=program, on=fiscal_year_start(fiscal_year, start_month=4)
    ).fiscal_year_start_month
    start = fiscal_year_start(fiscal_year, start_month=start_month)
    end = fiscal_year_end(fiscal_year, start_month=start_month)
    entries = Entry.objects.filter(program=program)
    in_year = Q(award_on__gte=start, award_on__lte=end)
    sums = entries.aggregate(
        opening=Sum("points", filter=Q(award_on__lt=start)),
        **{kind.lower(): Sum("points", filter=in_year & Q(kind=kind)) for kind in EntryKind.values},
    )
    moved = {key: int(value or 0) for key, value in sums.items()}
    net = sum(moved[kind.lower()] for kind in EntryKind.values)
    opening = program_balance(program=program, as_of=start - dt.timedelta(days=1))
    closing = program_balance(program=program, as_of=end)
    # Not yet journalled expiries: the journal's closing less the balance's, less the same gap
    # carried in at the opening.
    unjournalled = (moved["opening"] + net - closing) - (moved["opening"] - opening)
    return Liability(
        program=program,
        fiscal_year=fiscal_year,
        opening=opening,
        issued=moved["grant"],
        redeemed=-moved["redeem"],
        refunded=moved["refund"],
        expired=-moved["expire"] + unjournalled,
        forfeited=-moved["forfeit"],
        revoked=-moved["revoke"],
        adjusted=moved["adjust"],
        closing=closing,
    )
