"""Reading the catalog and a member's redemptions."""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Q, QuerySet

from memberclub.domain.allocation import LotBalance
from memberclub.domain.errors import Refused
from memberclub.domain.fiscal import fiscal_year, fiscal_year_end
from memberclub.domain.program import ProgramDefinition
from memberclub.ledger import rawsql
from memberclub.ledger.models import Entry, Lot
from memberclub.programs.models import ProgramVersion
from memberclub.rewards.models import Category, Item, Kind, Redemption, Status


def catalog_items(
    *,
    program: str,
    on: dt.date,
    category: str | None = None,
    affordable_with: int | None = None,
) -> list[Item]:
    """Items offered on `on`, optionally of one category or within a balance, in catalog order."""
    items = Item.objects.filter(program=program).filter(
        Q(active_from__isnull=True) | Q(active_from__lte=on),
        Q(active_until__isnull=True) | Q(active_until__gte=on),
    )
    if category:
        items = items.filter(category__code=category)
    if affordable_with is not None:
        # Fee payment costs what the member chooses, from one point.
        items = items.filter(Q(points__lte=affordable_with) | Q(kind=Kind.BILL_CREDIT))
        if affordable_with < 1:
            items = items.exclude(kind=Kind.BILL_CREDIT)
    return list(items.select_related("category").order_by("category__position", "position"))


def catalog_categories(*, program: str) -> list[Category]:
    """The categories of a program's catalog, in order."""
    return list(Category.objects.filter(program=program).order_by("position", "code"))


def catalog_item(*, program: str, code: str, on: dt.date) -> Item:
    """One item offered to a program's members on `on`, or refuse."""
    item = Item.objects.filter(program=program, code=code).select_related("category").first()
    if (
        item is None
        or (item.active_from and on < item.active_from)
        or (item.active_until and on > item.active_until)
    ):
        raise Refused(f"no item {code!r} is offered")
    return item


def fee_payment_item(*, program: str, on: dt.date) -> Item:
    """The program's fee payment item."""
    item = next(
        (i for i in catalog_items(program=program, on=on) if i.kind == Kind.BILL_CREDIT), None
    )
    if item is None:
        raise Refused(f"the {program} catalog offers no fee payment")
    return item


def member_redemptions(*, member_id: int) -> QuerySet[Redemption]:
    """A member's redemptions, newest first, with what a history page shows."""
    return (
        Redemption.objects.filter(member_id=member_id)
        .select_related("item", "refund", "digital_code")
        .order_by("-requested_at", "-id")
    )


def redemption_for_member(*, member_id: int, number: str) -> Redemption:
    """One redemption of a member by its number, or refuse."""
    redemption = member_redemptions(member_id=member_id).filter(number=number).first()
    if redemption is None:
        raise Refused(f"no redemption {number}")
    return redemption


def account_entitlements(*, account_id: int) -> list[Redemption]:
    """The services an account holds: its SERVICE redemptions that were not cancelled."""
    return list(
        Redemption.objects.filter(account_id=account_id, kind=Kind.SERVICE)
        .exclude(status=Status.CANCELED)
        .select_related("item")
        .order_by("requested_on", "id")
    )


@dataclass(frozen=True)
class PointsSummary:
    """A balance as the member sees it (SPEC §5: balance and points expiring this fiscal year)."""

    as_of: dt.date
    balance: int
    expiring_points: int
    expiring_on: dt.date
    lots: list[LotBalance]


LOTS = rawsql.Table(Lot)
# The program version in force (the latest effective on or before the day, the latest load
# winning a tie, as programs.selectors decides) with the account's usable lots, in one statement.
SUMMARY = """
    SELECT v.id, v.checksum, l.id, l.expires_on, l.remaining
    FROM (SELECT id, checksum FROM programs_programversion
          WHERE program = %s AND effective_on <= %s
          ORDER BY effective_on DESC, version DESC LIMIT 1) AS v
    LEFT JOIN ledger_lot l
        ON l.account_id = %s AND l.remaining > 0 AND l.expires_on >= %s
    ORDER BY l.expires_on
"""


@lru_cache(maxsize=64)
def _fiscal_year_start_month(version_id: int, checksum: str) -> int:
    """The first month of the fiscal year in one stored program version (keyed as
    programs.selectors keys its definitions: a stored version never changes)."""
    del checksum
    stored = ProgramVersion.objects.get(pk=version_id)
    return ProgramDefinition.model_validate(stored.definition).fiscal_year_start_month


def points_summary(*, account_id: int, program: str, as_of: dt.date) -> PointsSummary:
    """Balance, lots, and the points that expire by the end of the current fiscal year."""
    day = LOTS.prep("expires_on", as_of)
    rows = rawsql.fetch(SUMMARY, [program, day, account_id, day])
    if not rows:
        raise Refused(f"program {program!r} has no version in force on {as_of}")
    start_month = _fiscal_year_start_month(rows[0][0], rows[0][1])
    fy_end = fiscal_year_end(fiscal_year(as_of, start_month=start_month), start_month=start_month)
    lots = [
        LotBalance(row[2], LOTS.convert("expires_on", row[3]), row[4])
        for row in rows
        if row[2] is not None
    ]
    return PointsSummary(
        as_of=as_of,
        balance=sum(lot.remaining for lot in lots),
        expiring_points=sum(lot.remaining for lot in lots if lot.expires_on <= fy_end),
        expiring_on=fy_end,
        lots=lots,
    )


def account_history(*, account_id: int) -> QuerySet[Entry]:
    """An account's journal, newest first, each entry with the redemption it belongs to."""
    return (
        Entry.objects.filter(account_id=account_id)
        .select_related("redemption", "refunded_redemption")
        .order_by("-award_on", "-id")
    )
