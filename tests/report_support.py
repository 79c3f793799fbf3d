"""A ledger with every entry kind in both programs, and the reports recomputed from the journal.

The recomputation reads ledger_entry, ledger_draw and ledger_lot directly and shares no code
with memberclub.reports, so a report that disagrees with it is wrong (or it is).
"""

import datetime as dt
from collections import defaultdict

from memberclub.jobs.accrual import accrual_run
from memberclub.jobs.expiry import expiry_run
from memberclub.ledger.models import Draw, Entry
from memberclub.ledger.services import account_close_out, grant_revoke, points_adjust
from memberclub.members.models import Member
from memberclub.rewards.services import redemption_cancel
from memberclub.usage.models import UsageBill
from tests.rewards_support import give, load_catalogs, redeem

D = dt.date


def busy_ledger(make_member) -> dict[str, Member]:
    """East and west members with grants, redemptions, a refund across an expiry, and so on."""
    load_catalogs()
    east = make_member(joined_on=D(2024, 1, 1))
    east_gone = make_member(joined_on=D(2024, 1, 1), plan="MANSION")
    west = make_member(
        program="west", discount="", discount_started_on=None, joined_on=D(2024, 1, 1)
    )
    for month in (D(2024, 4, 1), D(2024, 5, 1), D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1)):
        accrual_run(program="east", month=month)
    for bill, yen, month_end in (
        ("2026-03", 8800, D(2026, 3, 31)),
        ("2026-04", 6600, D(2026, 4, 30)),
    ):
        UsageBill.objects.create(
            contract=west.contract,
            billing_month=bill,
            billed_yen=yen,
            paid=True,
            month_ends_on=month_end,
        )
    accrual_run(program="west", month=D(2026, 4, 1))
    accrual_run(program="west", month=D(2026, 5, 1))
    UsageBill.objects.filter(contract=west.contract, billing_month="2026-04").update(paid=False)
    accrual_run(program="west", month=D(2026, 7, 1))
    give(east, 3000, on=D(2024, 6, 1), key="east-old")
    give(east, 6000, on=D(2026, 4, 10), key="east-new")
    give(west, 4000, on=D(2025, 6, 1), key="west-gift")
    give(west, 900, on=D(2026, 5, 1), key="west-gift-2")
    # A redemption in March 2027 drawn from the lot that expires on 2027-03-31, cancelled in
    # April after that lot expired: its part in that lot expires again at once.
    account_close_out(account_id=east_gone.account.pk, on=D(2026, 9, 15), key="gone", reason="left")
    early = redeem(east, "E-RICE-5KG", key="rice", on=D(2027, 3, 10)).redemption
    expiry_run(program="east", as_of=D(2027, 4, 1))
    redemption_cancel(redemption_id=early.pk, on=D(2027, 4, 5), by="support", reason="asked")
    redeem(east, "E-RICE-5KG", key="rice-2", on=D(2027, 5, 20))
    redeem(west, "W-MATCHA-SWEETS", key="matcha", on=D(2026, 6, 3))
    points_adjust(
        account_id=east.account.pk, points=-100, on=D(2027, 5, 2), reason="fix", key="minus"
    )
    grant = Entry.objects.filter(account=east.account, kind="GRANT", rule="monthly").last()
    assert grant is not None
    grant_revoke(grant=grant, on=D(2027, 6, 1), key="revoke-1", reason="late cancel")
    return {"east": east, "east_gone": east_gone, "west": west}


def held_as_of(program: str, day: dt.date) -> dict[dt.date, int]:
    """Points per lot expiry date held at the end of `day`, recomputed from the journal."""
    held: dict[dt.date, int] = defaultdict(int)
    for entry in Entry.objects.filter(program=program, effective_on__lte=day):
        if entry.expires_on is not None:
            held[entry.expires_on] += entry.points
    for draw in Draw.objects.filter(
        entry__program=program, entry__effective_on__lte=day
    ).select_related("lot"):
        held[draw.lot.expires_on] += draw.points
    return dict(held)


def outstanding(program: str, day: dt.date) -> int:
    """The program's outstanding points as of `day` (SPEC §6)."""
    return sum(
        points for expires_on, points in held_as_of(program, day).items() if expires_on >= day
    )


def lapsed(program: str, day: dt.date) -> int:
    """Points in lots expired by `day` that no EXPIRE entry took yet."""
    return sum(
        points for expires_on, points in held_as_of(program, day).items() if expires_on < day
    )


def moved(program: str, kind: str, first: dt.date, last: dt.date) -> int:
    """The points of one kind's entries effective from `first` to `last`."""
    return sum(
        Entry.objects.filter(
            program=program, kind=kind, effective_on__gte=first, effective_on__lte=last
        ).values_list("points", flat=True)
    )
