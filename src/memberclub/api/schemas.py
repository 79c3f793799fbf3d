"""Request and response bodies of the API."""

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

# Text fields refuse control characters (a NUL byte cannot even be stored by PostgreSQL).
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]
Points = Annotated[int, Field(ge=1, le=1_000_000, strict=True)]


class Error(Schema):
    """Every error: a message, a machine-readable code, and for bad input the details."""

    error: str
    code: str
    detail: list[dict[str, Any]] | None = None


class Me(Schema):
    """The member behind the request."""

    member_id: str
    nickname: str
    program: str
    customer_id: str
    language: str
    joined_on: dt.date
    level: str


class LotOut(Schema):
    """Points that share one expiry date."""

    expires_on: dt.date
    remaining: int


class PointsOut(Schema):
    """A balance and what expires at the end of this fiscal year."""

    as_of: dt.date
    balance: int
    expiring_points: int
    expiring_on: dt.date
    lots: list[LotOut]


class HistoryEntry(Schema):
    """One journal entry of the member's account."""

    id: int
    kind: str
    points: int
    on: dt.date
    expires_on: dt.date | None
    reason: str
    redemption_number: str | None


class HistoryPage(Schema):
    """A page of the history, newest first."""

    count: int
    entries: list[HistoryEntry]


class CatalogItem(Schema):
    """An item offered today."""

    code: str
    name_ja: str
    name_en: str
    category: str
    kind: str
    points: int | None
    stock: int | None
    required_level: str


class ShippingIn(Schema):
    """Where to ship; absent for a shipped item: the contract's name, address and phone."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, StringConstraints(min_length=1, max_length=200)]
    postal_code: Annotated[Text, StringConstraints(min_length=7, max_length=8)]
    address: Annotated[Text, StringConstraints(min_length=1, max_length=400)]
    phone: Annotated[Text, StringConstraints(min_length=9, max_length=20)]


class RedemptionIn(Schema):
    """A redemption request: an item code, points for fee payment, shipping for goods."""

    model_config = ConfigDict(extra="forbid")

    item: Annotated[Text, StringConstraints(min_length=1, max_length=32)]
    points: Points | None = None
    shipping: ShippingIn | None = None


class RedemptionOut(Schema):
    """A redemption as the member sees it."""

    number: str
    item: str
    kind: str
    points: int
    status: str
    requested_on: dt.date
    bill_month: str | None
    balance_after: int
    digital_code: str | None


class EventIn(Schema):
    """A lifecycle event of a contract (SPEC §3.4)."""

    model_config = ConfigDict(extra="forbid")

    event_id: Annotated[Text, StringConstraints(min_length=1, max_length=100)]
    customer_id: Annotated[Text, StringConstraints(pattern=r"^[A-Z0-9]{4,20}$")]
    kind: Annotated[Text, StringConstraints(min_length=1, max_length=20)]
    effective_on: dt.date
    payload: dict[str, Annotated[Text, StringConstraints(max_length=400)]] = {}


class EventOut(Schema):
    """Whether the event was applied now (False: it had been received before)."""

    event_id: str
    applied: bool


class MemberOut(Schema):
    """A member as an operator system sees them."""

    member_id: str
    customer_id: str
    program: str
    nickname: str
    email: str
    joined_on: dt.date
    left_on: dt.date | None
    contract_status: str


class AdjustmentIn(Schema):
    """An operator's correction of a member's points."""

    model_config = ConfigDict(extra="forbid")

    points: Annotated[int, Field(ge=-1_000_000, le=1_000_000, strict=True)]
    on: dt.date
    reason: Annotated[Text, StringConstraints(min_length=1, max_length=500)]


class AdjustmentOut(Schema):
    """The entry an adjustment wrote, and the balance on its date."""

    entry_id: int
    points: int
    on: dt.date
    balance: int


class LiabilityMonthOut(Schema):
    """The liability roll-forward of one month."""

    start: dt.date
    end: dt.date
    opening: int
    issued: int
    redeemed: int
    refunded: int
    expired: int
    forfeited: int
    revoked: int
    adjusted: int
    closing: int
    issued_by_rule: dict[str, int]
    redeemed_by_kind: dict[str, int]


class LiabilityOut(Schema):
    """The liability roll-forward of one program and fiscal year (and its months: by=month)."""

    program: str
    fiscal_year: int
    start: dt.date
    end: dt.date
    issued_by_rule: dict[str, int]
    redeemed_by_kind: dict[str, int]
    months: list[LiabilityMonthOut] | None = None
    opening: int
    issued: int
    redeemed: int
    refunded: int
    expired: int
    forfeited: int
    revoked: int
    adjusted: int
    closing: int
