"""Which lots a debit draws from: soonest expiry first, all or nothing."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from memberclub.domain.errors import InsufficientPoints


@dataclass(frozen=True)
class LotBalance:
    """The spendable points of one lot."""

    lot_id: int
    expires_on: dt.date
    remaining: int


@dataclass(frozen=True)
class LotDraw:
    """Points taken from one lot by a debit."""

    lot_id: int
    points: int


def allocate(lots: Iterable[LotBalance], points: int, *, on: dt.date) -> list[LotDraw]:
    """Draw `points` from the lots usable on `on`, soonest expiry first, or refuse entirely."""
    # The rewards_redeem function (rewards/sql/) loops the same way in PL/pgSQL, one round trip
    # instead of ten; tests/integration/test_redeem_paths.py holds the two to the same rows.
    if points <= 0:
        raise ValueError("a debit takes a positive number of points")
    usable = sorted(
        (lot for lot in lots if lot.expires_on >= on and lot.remaining > 0),
        key=lambda lot: (lot.expires_on, lot.lot_id),
    )
    available = sum(lot.remaining for lot in usable)
    if available < points:
        raise InsufficientPoints(wanted=points, available=available)
    draws: list[LotDraw] = []
    left = points
    for lot in usable:
        take = min(left, lot.remaining)
        draws.append(LotDraw(lot_id=lot.lot_id, points=take))
        left -= take
        if left == 0:
            break
    return draws
