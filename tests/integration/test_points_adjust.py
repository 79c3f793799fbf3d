"""Operators adjust points: credits land in the lot of their date, debits draw soonest first."""

import datetime as dt

import pytest

from memberclub.domain.errors import InsufficientPoints, Refused
from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import Entry
from memberclub.ledger.selectors import account_balance, account_lots
from memberclub.ledger.services import points_adjust

pytestmark = pytest.mark.django_db


def test_a_positive_adjustment_lands_in_the_lot_of_its_fiscal_year(make_member):
    account = make_member().account
    points_adjust(account_id=account.pk, points=300, on=dt.date(2027, 3, 31), reason="r", key="a")
    points_adjust(account_id=account.pk, points=200, on=dt.date(2027, 4, 1), reason="r", key="b")

    lots = account_lots(account_id=account.pk, as_of=dt.date(2027, 4, 1))

    assert [(lot.expires_on, lot.remaining) for lot in lots] == [
        (dt.date(2029, 3, 31), 300),
        (dt.date(2030, 3, 31), 200),
    ]


def test_a_debit_draws_the_soonest_expiring_lot_first(make_member):
    account = make_member().account
    points_adjust(account_id=account.pk, points=300, on=dt.date(2026, 3, 1), reason="r", key="a")
    points_adjust(account_id=account.pk, points=200, on=dt.date(2026, 4, 1), reason="r", key="b")

    points_adjust(account_id=account.pk, points=-400, on=dt.date(2026, 5, 1), reason="r", key="c")

    lots = account_lots(account_id=account.pk, as_of=dt.date(2026, 5, 1))
    assert [(lot.expires_on, lot.remaining) for lot in lots] == [(dt.date(2029, 3, 31), 100)]
    assert ledger_audit().ok


def test_an_overdraft_is_refused_and_changes_nothing(make_member):
    account = make_member().account
    points_adjust(account_id=account.pk, points=100, on=dt.date(2026, 5, 1), reason="r", key="a")

    with pytest.raises(InsufficientPoints):
        points_adjust(
            account_id=account.pk, points=-101, on=dt.date(2026, 5, 2), reason="r", key="b"
        )

    assert account_balance(account_id=account.pk, as_of=dt.date(2026, 5, 2)) == 100
    assert Entry.objects.filter(account=account).count() == 1


def test_the_same_key_again_returns_the_first_entry_and_changes_nothing(make_member):
    account = make_member().account
    first = points_adjust(
        account_id=account.pk, points=100, on=dt.date(2026, 5, 1), reason="r", key="k"
    )

    again = points_adjust(
        account_id=account.pk, points=999, on=dt.date(2026, 6, 1), reason="r", key="k"
    )

    assert again.pk == first.pk
    assert account_balance(account_id=account.pk, as_of=dt.date(2026, 6, 1)) == 100


def test_an_adjustment_without_a_reason_is_refused(make_member):
    account = make_member().account

    with pytest.raises(Refused, match="reason"):
        points_adjust(account_id=account.pk, points=10, on=dt.date(2026, 5, 1), reason=" ", key="k")
