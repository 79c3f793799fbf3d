"""Redeeming points for an item: the checks that need no lock, then one of the two paths."""

import datetime as dt

from memberclub.domain.errors import Refused
from memberclub.domain.program import Level
from memberclub.ledger import rawsql
from memberclub.ledger.partitions import partition_ensure_for
from memberclub.members.models import Member
from memberclub.rewards.models import Item, Kind
from memberclub.rewards.services.on_server import redeem_on_server
from memberclub.rewards.services.redemption import (
    Ask,
    RedemptionOutcome,
    Shipping,
    check_may_redeem,
    checked_points,
    first_with_key,
    redeem_step_by_step,
    request_digest_of,
)

KEY_LIMIT = 100
ITEMS = rawsql.Table(Item)


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
    cost = checked_points(item, points, on)
    if item.kind == Kind.SHIPPED:
        if shipping is None:
            raise Refused("a shipped item needs the shipping details")
        shipping = shipping.cleaned()
    else:
        shipping = None
    ask = Ask(member, item, cost, on, key, request_digest_of(item, cost, shipping), shipping, via)
    try:
        check_may_redeem(member, item, level, on)
    except Refused:
        # A repeated request still gets its first answer, though it could not be made today.
        first = first_with_key(ask)
        if first is None:
            raise
        return first
    if rawsql.database().vendor == "postgresql":
        # The function writes the journal: its year's partition first, before any lock.
        partition_ensure_for(on)
        return redeem_on_server(ask)
    return redeem_step_by_step(ask)
