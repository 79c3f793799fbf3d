"""Redeeming points for items, cancelling with a refund, loading codes, exporting bill credits."""

import datetime as dt
import hashlib
import json
import re
import secrets
from dataclasses import asdict, dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from memberclub.domain.access import allows
from memberclub.domain.calendar import add_months
from memberclub.domain.errors import InsufficientPoints, Refused
from memberclub.domain.program import Level
from memberclub.ledger import rawsql
from memberclub.ledger.models import Account, EntryKind
from memberclub.ledger.selectors import account_balance
from memberclub.ledger.services import account_lock, points_debit_locked, points_refund
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
KEY_LIMIT = 100
# As in the contract feed: 123-4567 (hyphen optional), and Japanese phone numbers.
POSTAL_CODE = re.compile(r"[0-9]{3}-?[0-9]{4}")
PHONE = re.compile(r"\+?[0-9][0-9-]{8,15}")


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


def _digest(item: Item, points: int, shipping: Shipping | None) -> str:
    """A fingerprint of what was asked, to tell a retry from a different request."""
    body = {"item": item.code, "points": points, "shipping": asdict(shipping) if shipping else None}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _new_number(on: dt.date) -> str:
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


def _checked_points(item: Item, points: int | None, on: dt.date) -> int:
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


def redemption_request(
    *,
    member: Member,
    item_code: str,
    on: dt.date,
    key: str,
    level: Level,
    points: int | None = None,
    shipping: Shipping | None = None,
    via: str = "portal",
) -> RedemptionOutcome:
    """Exchange points for an item: debit, stock and record in one transaction; a repeated key
    returns the first redemption, a key reused for another request is refused."""
    if not key or len(key) > KEY_LIMIT:
        raise Refused(f"an idempotency key of 1 to {KEY_LIMIT} characters is required")
    found = rawsql.fetch(
        f"SELECT {ITEMS.columns('i')} FROM rewards_item i WHERE i.program = %s AND i.code = %s",
        [member.program, item_code],
    )
    if not found:
        raise Refused(f"no item {item_code!r} in the {member.program} catalog")
    item = ITEMS.build(found[0])
    cost = _checked_points(item, points, on)
    if item.kind == Kind.SHIPPED:
        if shipping is None:
            raise Refused("a shipped item needs the shipping details")
        shipping = shipping.cleaned()
    else:
        shipping = None
    ask = _Ask(member, item, cost, on, key, _digest(item, cost, shipping), shipping, via)
    try:
        _check_may_redeem(member, item, level, on)
    except Refused:
        # A repeated request still gets its first answer, though it could not be made today.
        first = _first_with_key(ask)
        if first is None:
            raise
        return first
    if rawsql.database().vendor == "postgresql":
        return _redeem_on_server(ask)
    return _redeem_here(ask)


@dataclass(frozen=True)
class _Ask:
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


def _first_with_key(ask: _Ask) -> RedemptionOutcome | None:
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


REDEEM = (
    "SELECT outcome, redemption_id, requested_at, account_id, debit_id, figure, number"
    f" FROM rewards_redeem({', '.join(['%s'] * 21)})"
)


def _redeem_on_server(ask: _Ask) -> RedemptionOutcome:
    """PostgreSQL: the whole transaction in one call of the `rewards_redeem` function."""
    cap, item = ask.fee_cap, ask.item
    month = ask.on.replace(day=1)
    unsaved = ask.redemption(account_id=0, debit_id=0, balance_after=0)
    outcome, redemption_id, requested_at, account_id, debit_id, figure, number = rawsql.fetch(
        REDEEM,
        [
            ask.member.pk,
            item.pk,
            item.kind,
            ask.points,
            ask.on,
            ask.key,
            ask.digest,
            ask.entry_key,
            ask.rule,
            ask.reason,
            item.stock is not None,
            cap,
            month,
            add_months(month, 1),
            unsaved.bill_month,
            unsaved.ship_name,
            unsaved.ship_postal_code,
            unsaved.ship_address,
            unsaved.ship_phone,
            ask.via,
            [_new_number(ask.on) for _ in range(NUMBER_TRIES)],
        ],
    )[0]
    if outcome == "created":
        unsaved.pk, unsaved.number, unsaved.requested_at = redemption_id, number, requested_at
        unsaved.account_id, unsaved.debit_id, unsaved.balance_after = account_id, debit_id, figure
        unsaved._state.adding, unsaved._state.db = False, rawsql.database().alias
        return RedemptionOutcome(unsaved, created=True)
    if outcome == "existing":
        first = Redemption.objects.select_related("item").get(pk=redemption_id)
        return RedemptionOutcome(first, created=False)
    if outcome == "key_reused":
        raise KeyReused
    if outcome == "fee_cap":
        assert cap is not None
        raise FeeCapExceeded(cap=cap, left=figure)
    if outcome == "insufficient":
        raise InsufficientPoints(wanted=ask.points, available=figure)
    raise OutOfStock(f"{item.code} is out of stock")


def _redeem_here(ask: _Ask) -> RedemptionOutcome:
    """SQLite (and the reference of `rewards_redeem`): the same steps, statement by statement."""
    item = ask.item
    with transaction.atomic():
        # The account row first, as every ledger writer: requests of one member queue here,
        # so the key lookup and the monthly cap below see every earlier request of theirs.
        account = account_lock(member_id=ask.member.pk)
        first = _first_with_key(ask)
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


def _check_may_redeem(member: Member, item: Item, level: Level, on: dt.date) -> None:
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


ITEMS = rawsql.Table(Item)
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
        redemption.number = _new_number(on)
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


def digital_code_show(*, redemption: Redemption) -> str | None:
    """Return a redemption's code for display; the first showing fulfils the redemption."""
    code = DigitalCode.objects.filter(redemption=redemption).first()
    if code is None:
        return None
    if code.shown_at is None:
        now = timezone.now()
        with transaction.atomic():
            DigitalCode.objects.filter(pk=code.pk, shown_at__isnull=True).update(shown_at=now)
            Redemption.objects.filter(pk=redemption.pk, status=Status.REQUESTED).update(
                status=Status.FULFILLED, fulfilled_at=now
            )
    return code.code


def redemption_cancel(*, redemption_id: int, on: dt.date, by: str, reason: str) -> Redemption:
    """Cancel a requested redemption: points back to the lots they came from, stock restored."""
    if not reason.strip():
        raise Refused("a cancellation needs a reason")
    account_id = Redemption.objects.values_list("account_id", flat=True).get(pk=redemption_id)
    with transaction.atomic():
        Account.objects.select_for_update().get(pk=account_id)
        redemption = (
            Redemption.objects.select_for_update()
            .select_related("item", "member", "debit")
            .get(pk=redemption_id)
        )
        if redemption.status != Status.REQUESTED:
            raise Refused(
                f"{redemption.number} is {redemption.status}: only REQUESTED can be cancelled"
            )
        code = DigitalCode.objects.filter(redemption=redemption).first()
        if code is not None and code.shown_at is not None:
            raise Refused(f"{redemption.number}: its digital code has been shown")
        member = redemption.member
        if member.left_on is not None and member.left_on <= on:
            raise Refused(f"{redemption.number}: the member left on {member.left_on}")
        refund = points_refund(
            debit_entry=redemption.debit,
            on=on,
            key=f"refund:{redemption.number}",
            reason=f"cancel {redemption.number}: {reason.strip()}",
        )[0]
        if code is not None:
            DigitalCode.objects.filter(pk=code.pk).update(redemption=None)
        if redemption.item.stock is not None:
            Item.objects.filter(pk=redemption.item_id).update(stock=F("stock") + 1)
        redemption.status = Status.CANCELED
        redemption.refund = refund
        redemption.canceled_on = on
        redemption.canceled_by = by
        redemption.cancel_reason = reason.strip()
        redemption.save(
            update_fields=["status", "refund", "canceled_on", "canceled_by", "cancel_reason"]
        )
        return redemption


def redemption_fulfil(*, redemption_id: int) -> bool:
    """Mark a requested redemption fulfilled (shipped, provisioned); False if it was not pending."""
    return bool(
        Redemption.objects.filter(pk=redemption_id, status=Status.REQUESTED).update(
            status=Status.FULFILLED, fulfilled_at=timezone.now()
        )
    )


@dataclass(frozen=True)
class CodesLoaded:
    """The outcome of loading a pool of digital codes."""

    item: str
    added: int
    already_loaded: int
    stock: int


def codes_load(*, item_code: str, codes: list[str]) -> CodesLoaded:
    """Add codes to a digital code item's pool; a code already in it is not added twice."""
    cleaned = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    too_long = [code for code in cleaned if len(code) > 200]
    if too_long:
        raise Refused(f"a code is longer than 200 characters: {too_long[0][:40]}…")
    with transaction.atomic():
        item = Item.objects.select_for_update().filter(code=item_code).first()
        if item is None:
            raise Refused(f"no item {item_code!r}")
        if item.kind != Kind.DIGITAL_CODE:
            raise Refused(f"{item_code} is a {item.kind} item, not DIGITAL_CODE")
        known = set(
            DigitalCode.objects.filter(item=item, code__in=cleaned).values_list("code", flat=True)
        )
        new = [code for code in cleaned if code not in known]
        DigitalCode.objects.bulk_create(DigitalCode(item=item, code=code) for code in new)
        Item.objects.filter(pk=item.pk).update(stock=F("stock") + len(new))
        item.refresh_from_db(fields=["stock"])
        return CodesLoaded(item_code, len(new), len(cleaned) - len(new), int(item.stock or 0))


@dataclass(frozen=True)
class BillCredit:
    """One line of the billing export."""

    customer_id: str
    bill_month: str
    yen: int
    redemption_number: str


def billing_export(*, bill_month: dt.date) -> list[BillCredit]:
    """Every fee payment credited on one month's bill, marked fulfilled as it goes to billing."""
    with transaction.atomic():
        credits = list(
            Redemption.objects.filter(kind=Kind.BILL_CREDIT, bill_month=bill_month)
            .exclude(status=Status.CANCELED)
            .select_related("member__contract")
            .order_by("member__contract__customer_id", "number")
        )
        Redemption.objects.filter(
            pk__in=[credit.pk for credit in credits], status=Status.REQUESTED
        ).update(status=Status.FULFILLED, fulfilled_at=timezone.now())
    return [
        BillCredit(
            customer_id=credit.member.contract.customer_id,
            bill_month=f"{bill_month:%Y-%m}",
            yen=credit.points
            * program_on(program=credit.program, on=credit.requested_on).redemption.yen_per_point,
            redemption_number=credit.number,
        )
        for credit in credits
    ]
