"""Reading the catalog and a member's redemptions."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum

from memberclub.domain.allocation import LotBalance
from memberclub.domain.errors import Refused
from memberclub.domain.fiscal import ExpiryPolicy
from memberclub.domain.program import ProgramDefinition
from memberclub.ledger import rawsql
from memberclub.ledger.models import Entry, Lot
from memberclub.ledger.selectors import account_lots
from memberclub.programs.models import ProgramVersion
from memberclub.programs.selectors import program_on
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
    """A balance as the member sees it (SPEC §5: balance, the next expiry date and its points)."""

    as_of: dt.date
    balance: int
    expiring_points: int
    expiring_on: dt.date
    lots: list[LotBalance]


LOTS = rawsql.Table(Lot)
SUMMARY_COLUMNS = "v.id, v.checksum, l.id, l.expires_on, l.remaining"


def summary_joins(*, program: str, account: str) -> str:
    """The joins that put a points summary's columns (SUMMARY_COLUMNS) next to a statement's
    row: the version of `program` in force on a day (the latest effective on or before it, the
    latest load winning a tie, as programs.selectors decides) and the usable lots of `account`
    on that day, one row per lot, in no order (`points_summary_of` sorts the few lots, which
    spares PostgreSQL a sort step on every read). `program` and `account` are SQL expressions;
    the day is bound twice, first for the version, then for the lots.

    The member API reads today's summary this way, in the statement that checks the caller's
    token: the lots' stored remainders are their points today (nothing is dated in the
    future), so this fast path agrees with `account_lots`, which any other date goes through.
    """
    return f"""
    LEFT JOIN programs_programversion v ON v.id = (
        SELECT pv.id FROM programs_programversion pv
        WHERE pv.program = {program} AND pv.effective_on <= %s
        ORDER BY pv.effective_on DESC, pv.version DESC LIMIT 1)
    LEFT JOIN ledger_lot l ON l.account_id = {account} AND l.remaining > 0 AND l.expires_on >= %s
    """


@lru_cache(maxsize=64)
def _expiry_policy(version_id: int, checksum: str) -> ExpiryPolicy:
    """The expiry policy of one stored program version (keyed as programs.selectors keys its
    definitions: a stored version never changes)."""
    del checksum
    stored = ProgramVersion.objects.get(pk=version_id)
    return ProgramDefinition.model_validate(stored.definition).expiry_policy


def summary_days(as_of: dt.date) -> list[Any]:
    """The two values `summary_joins` binds for `as_of`."""
    day = LOTS.prep("expires_on", as_of)
    return [day, day]


def points_summary(*, account_id: int, program: str, as_of: dt.date) -> PointsSummary:
    """Balance and lots at the end of day `as_of` (the ledger's one definition), and the
    program's next expiry date with the points that expire then."""
    lots = [
        LotBalance(lot.pk, lot.expires_on, lot.remaining)
        for lot in account_lots(account_id=account_id, as_of=as_of)
    ]
    next_expiry = program_on(program=program, on=as_of).expiry_policy.next_expiry_on(as_of)
    return _summary(as_of=as_of, lots=lots, next_expiry=next_expiry)


def _summary(*, as_of: dt.date, lots: list[LotBalance], next_expiry: dt.date) -> PointsSummary:
    return PointsSummary(
        as_of=as_of,
        balance=sum(lot.remaining for lot in lots),
        expiring_points=sum(lot.remaining for lot in lots if lot.expires_on <= next_expiry),
        expiring_on=next_expiry,
        lots=lots,
    )


def points_summary_of(
    rows: Sequence[Sequence[Any]], *, start: int, program: str, as_of: dt.date
) -> PointsSummary:
    """The summary read by a statement with `summary_joins`, whose SUMMARY_COLUMNS are each
    row's columns from `start` on."""
    if not rows or rows[0][start] is None:
        raise Refused(f"program {program!r} has no version in force on {as_of}")
    policy = _expiry_policy(rows[0][start], rows[0][start + 1])
    lots = sorted(
        (
            LotBalance(row[start + 2], LOTS.convert("expires_on", row[start + 3]), row[start + 4])
            for row in rows
            if row[start + 2] is not None
        ),
        key=lambda lot: lot.expires_on,
    )
    return _summary(as_of=as_of, lots=lots, next_expiry=policy.next_expiry_on(as_of))


def account_history(
    *,
    account_id: int,
    kinds: Sequence[str] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Entry]:
    """An account's journal, newest first, optionally of some kinds and effective dates, each
    entry with the redemption it belongs to and `balance_after`: the journal's total once it
    took effect (over every entry, whatever the filter)."""
    earlier_or_same = Entry.objects.filter(account_id=account_id).filter(
        Q(effective_on__lt=OuterRef("effective_on"))
        | Q(effective_on=OuterRef("effective_on"), id__lte=OuterRef("id"))
    )
    running = earlier_or_same.values("account_id").annotate(total=Sum("points")).values("total")
    entries = Entry.objects.filter(account_id=account_id)
    if kinds:
        entries = entries.filter(kind__in=kinds)
    if since is not None:
        entries = entries.filter(effective_on__gte=since)
    if until is not None:
        entries = entries.filter(effective_on__lte=until)
    return (
        entries.select_related("redemption__item", "refunded_redemption__item", "reverses")
        .annotate(balance_after=Subquery(running))
        .order_by("-effective_on", "-id")
    )
