"""A redemption request checked, and its steps from Python: SQLite's path, and the reference
the `rewards_redeem` function is held to (tests/integration/test_redeem_paths.py)."""

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import asdict, dataclass

from django.db import IntegrityError, transaction
from django.db.models import Sum

from memberclub.domain.access import allows
from memberclub.domain.calendar import add_months
from memberclub.domain.contact import PHONE, POSTAL_CODE
from memberclub.domain.errors import Refused
from memberclub.domain.program import Level
from memberclub.ledger import rawsql
from memberclub.ledger.models import EntryKind
from memberclub.ledger.partitions import partition_ensure_for
from memberclub.ledger.selectors import account_balance
from memberclub.ledger.services import account_lock, points_debit_locked
from memberclub.members.models import Member
from memberclub.programs.ending import redemption_check
from memberclub.programs.selectors import program_on
from memberclub.rewards.errors import (
    FeeCapExceeded,
    KeyReused,
    LevelRequired,
    OutOfStock,
    ShippingInvalid,
)
from memberclub.rewards.models import DigitalCode, Item, Kind, Redemption, Status

NUMBER_TRIES = 5


@dataclass(frozen=True)
class Shipping:
    """Where a shipped item goes (prefilled from the contract, editable by the member)."""

    name: str
    postal_code: str
    address: str
    phone: str

    def cleaned(self) -> "Shipping":
        """Return the shipping details normalised, or refuse them with the field at fault."""
        name, address = self.name.strip(), self.address.strip()
        postal_code = self.postal_code.strip().replace("-", "").replace("－", "")
        phone = self.phone.strip()
        if not name or len(name) > 200:
            raise ShippingInvalid("name", "1 to 200 characters")
        if not POSTAL_CODE.fullmatch(postal_code):
            raise ShippingInvalid("postal_code", "7 digits (123-4567)")
        if not address or len(address) > 400:
            raise ShippingInvalid("address", "1 to 400 characters")
        if not PHONE.fullmatch(phone):
            raise ShippingInvalid("phone", "a phone number (03-1234-5678)")
        return Shipping(name=name, postal_code=postal_code, address=address, phone=phone)


@dataclass(frozen=True)
class RedemptionOutcome:
    """A redemption and whether this call made it (False: the key had been used already)."""

    redemption: Redemption
    created: bool


def request_digest_of(item: Item, points: int, shipping: Shipping | None) -> str:
    """A fingerprint of what was asked, to tell a retry from a different request."""
    body = {"item": item.code, "points": points, "shipping": asdict(shipping) if shipping else None}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def new_number(on: dt.date) -> str:
    """A redemption number: R, the request date, eight random digits (unique in the database).

    Eight digits: 500,000 redemptions in one day take 0.5 % of its numbers, so a clash is rare
    and all NUMBER_TRIES clashing never happens. With six, half would be taken by the end of
    such a day, and one request in thirty-two would then fail."""
    return f"R{on:%y%m%d}{secrets.randbelow(10**8):08d}"


def fee_payment_used(*, account_id: int, month_start: dt.date) -> int:
    """Points paid toward fees in requests of one calendar month, cancelled ones not counted."""
    total = (
        Redemption.objects.filter(
            account_id=account_id,
            kind=Kind.BILL_CREDIT,
            requested_on__gte=month_start,
            requested_on__lt=add_months(month_start, 1),
        )
        .exclude(status=Status.CANCELED)
        .aggregate(total=Sum("points"))["total"]
    )
    return int(total or 0)


def checked_points(item: Item, points: int | None, on: dt.date) -> int:
    """The points a request costs: the item's price, or the member's amount for fee payment."""
    if item.kind != Kind.BILL_CREDIT:
        if points is not None and points != item.points:
            raise Refused(f"{item.code} costs {item.points} points")
        assert item.points is not None
        return item.points
    rules = program_on(program=item.program, on=on).redemption
    if points is None or isinstance(points, bool) or points < rules.fee_payment_min:
        raise Refused(f"fee payment takes a whole number of points from {rules.fee_payment_min}")
    return points


@dataclass(frozen=True)
class Ask:
    """A redemption request checked as far as it can be without a lock."""

    member: Member
    item: Item
    points: int
    on: dt.date
    key: str
    digest: str
    shipping: Shipping | None
    via: str

    @property
    def entry_key(self) -> str:
        """The idempotency key of the debit in the ledger."""
        return f"redeem:{self.member.member_id}:{self.key}"

    @property
    def rule(self) -> str:
        """The debit's rule: the item's kind."""
        return self.item.kind.lower()[:24]

    @property
    def reason(self) -> str:
        """The debit's reason, as the history shows it."""
        return f"{self.item.code} {self.item.name_ja}"

    @property
    def fee_cap(self) -> int | None:
        """The monthly cap of fee payment in force on the request date, for a fee payment."""
        if self.item.kind != Kind.BILL_CREDIT:
            return None
        rules = program_on(program=self.item.program, on=self.on).redemption
        return rules.fee_payment_monthly_cap

    def redemption(self, *, account_id: int, debit_id: int, balance_after: int) -> Redemption:
        """The redemption this request makes, not yet numbered or saved."""
        shipping, fee = self.shipping, self.item.kind == Kind.BILL_CREDIT
        return Redemption(
            program=self.member.program,
            member=self.member,
            account_id=account_id,
            item=self.item,
            kind=self.item.kind,
            points=self.points,
            status=Status.REQUESTED,
            requested_on=self.on,
            bill_month=add_months(self.on, 1) if fee else None,
            ship_name=shipping.name if shipping else "",
            ship_postal_code=shipping.postal_code if shipping else "",
            ship_address=shipping.address if shipping else "",
            ship_phone=shipping.phone if shipping else "",
            debit_id=debit_id,
            balance_after=balance_after,
            idempotency_key=self.key,
            request_digest=self.digest,
            via=self.via,
        )


def first_with_key(ask: Ask) -> RedemptionOutcome | None:
    """The member's earlier redemption under the same key, if any; a different request under
    it is refused."""
    first = (
        Redemption.objects.select_related("item")
        .filter(member_id=ask.member.pk, idempotency_key=ask.key)
        .first()
    )
    if first is None:
        return None
    if first.request_digest != ask.digest:
        raise KeyReused
    return RedemptionOutcome(first, created=False)


def redeem_step_by_step(ask: Ask) -> RedemptionOutcome:
    """SQLite (and the reference of `rewards_redeem`): the same steps, statement by statement."""
    item = ask.item
    partition_ensure_for(ask.on)
    with transaction.atomic():
        # The account row first, as every ledger writer: requests of one member queue here,
        # so the key lookup and the monthly cap below see every earlier request of theirs.
        account = account_lock(member_id=ask.member.pk)
        first = first_with_key(ask)
        if first is not None:
            return first
        cap = ask.fee_cap
        if cap is not None:
            used = fee_payment_used(account_id=account.pk, month_start=ask.on.replace(day=1))
            if used + ask.points > cap:
                raise FeeCapExceeded(cap=cap, left=cap - used)
        debit = points_debit_locked(
            account=account,
            points=ask.points,
            on=ask.on,
            key=ask.entry_key,
            kind=EntryKind.REDEEM,
            rule=ask.rule,
            reason=ask.reason,
        )
        # Stock last, so a hot item's row is locked for the shortest time. The conditional
        # UPDATE waits for a concurrent buyer, then sees what they left: never below zero.
        if item.stock is not None and not rawsql.fetch(
            "UPDATE rewards_item SET stock = stock - 1 WHERE id = %s AND stock >= 1 RETURNING id",
            [item.pk],
        ):
            raise OutOfStock(f"{item.code} is out of stock")
        balance_after = debit.balance_after
        if balance_after is None:
            balance_after = account_balance(account_id=account.pk, as_of=ask.on)
        redemption = ask.redemption(
            account_id=account.pk, debit_id=debit.entry.pk, balance_after=balance_after
        )
        _insert_numbered(redemption, ask.on)
        if item.kind == Kind.DIGITAL_CODE:
            _hand_out_code(item, redemption)
        return RedemptionOutcome(redemption, created=True)


def check_may_redeem(member: Member, item: Item, level: Level, on: dt.date) -> None:
    """Refuse a redemption the member may not make today."""
    redemption_check(program=member.program, on=on)
    if member.left_on is not None and member.left_on <= on:
        raise Refused("a former member cannot redeem points")
    if not allows(level, Level(item.required_level)):
        raise LevelRequired(Level(item.required_level))
    if (item.active_from and on < item.active_from) or (
        item.active_until and on > item.active_until
    ):
        raise Refused(f"{item.code} is not offered on {on}")


REDEMPTIONS = rawsql.Table(Redemption)
# Every column but the id and requested_at (the database's clock), in the model's order.
INSERTED = [
    field
    for field in REDEMPTIONS.fields
    if not field.primary_key and field.name not in {"requested_at"}
]
INSERT_REDEMPTION = (
    f"INSERT INTO rewards_redemption ({', '.join(field.column for field in INSERTED)})"
    f" VALUES ({', '.join(['%s'] * len(INSERTED))})"
    " ON CONFLICT (number) DO NOTHING RETURNING id, requested_at"
)


def _insert_numbered(redemption: Redemption, on: dt.date) -> None:
    """Insert a redemption under a fresh random number, trying another on the rare collision.

    The member's key was checked under the account lock, so only the number can clash; a
    clash inserts nothing (ON CONFLICT on the number alone), so no savepoint is needed."""
    for _ in range(NUMBER_TRIES):
        redemption.number = new_number(on)
        values = [
            REDEMPTIONS.prep(field.name, getattr(redemption, field.attname)) for field in INSERTED
        ]
        inserted = rawsql.fetch(INSERT_REDEMPTION, values)
        if inserted:
            redemption.pk = inserted[0][0]
            redemption.requested_at = REDEMPTIONS.convert("requested_at", inserted[0][1])
            redemption._state.adding, redemption._state.db = False, rawsql.database().alias
            return
    raise IntegrityError(f"no free redemption number on {on} after {NUMBER_TRIES} tries")


def _hand_out_code(item: Item, redemption: Redemption) -> None:
    """Give the redemption the oldest unused code of the item's pool."""
    while True:
        code = (
            DigitalCode.objects.select_for_update(skip_locked=True)
            .filter(item=item, redemption__isnull=True)
            .order_by("id")
            .first()
        )
        if code is None:
            raise OutOfStock(f"{item.code} has no codes left")
        if DigitalCode.objects.filter(pk=code.pk, redemption__isnull=True).update(
            redemption=redemption
        ):
            return
