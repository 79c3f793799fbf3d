"""A debit draws the soonest-expiring lots first, all or nothing, and never from expired lots."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memberclub.domain.allocation import LotBalance, allocate
from memberclub.domain.errors import InsufficientPoints

D = dt.date


def test_the_soonest_expiring_lot_is_drawn_first():
    lots = [LotBalance(2, D(2029, 3, 31), 200), LotBalance(1, D(2028, 3, 31), 300)]

    draws = allocate(lots, 400, on=D(2026, 5, 1))

    assert [(d.lot_id, d.points) for d in draws] == [(1, 300), (2, 100)]


def test_an_expired_lot_is_never_drawn_even_with_points_left():
    lots = [LotBalance(1, D(2026, 3, 31), 300), LotBalance(2, D(2029, 3, 31), 200)]

    with pytest.raises(InsufficientPoints) as refused:
        allocate(lots, 300, on=D(2026, 4, 1))

    assert refused.value.available == 200


def test_a_lot_can_be_drawn_on_its_expiry_date():
    draws = allocate([LotBalance(1, D(2026, 3, 31), 10)], 10, on=D(2026, 3, 31))
    assert [(d.lot_id, d.points) for d in draws] == [(1, 10)]


@given(
    remainders=st.lists(st.integers(min_value=0, max_value=1000), max_size=6),
    wanted=st.integers(min_value=1, max_value=5000),
)
def test_a_debit_takes_exactly_what_was_asked_or_nothing(remainders, wanted):
    lots = [LotBalance(i, D(2027 + i, 3, 31), r) for i, r in enumerate(remainders)]
    if wanted > sum(remainders):
        with pytest.raises(InsufficientPoints):
            allocate(lots, wanted, on=D(2026, 4, 1))
        return
    draws = allocate(lots, wanted, on=D(2026, 4, 1))
    assert sum(d.points for d in draws) == wanted
    assert all(0 < d.points <= remainders[d.lot_id] for d in draws)
    # Every lot before the last one drawn is emptied: soonest first.
    assert all(d.points == remainders[d.lot_id] for d in draws[:-1])
