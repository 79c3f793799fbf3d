"""Fee payment: up to the monthly cap across all requests, credited on next month's bill."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command

from memberclub.domain.errors import Refused
from memberclub.domain.program import Level
from memberclub.ledger.selectors import account_balance
from memberclub.rewards.errors import FeeCapExceeded
from memberclub.rewards.models import Redemption, Status
from memberclub.rewards.services import billing_export
from tests.rewards_support import give, load_catalogs, redeem

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(make_member):
    load_catalogs()
    member = make_member(customer_id="CAF7000001")
    give(member, 20_000, on=dt.date(2026, 4, 1))
    return member


def pay(member, points, *, on, key, level=Level.PASSWORD):
    return redeem(member, "E-FEE", key=key, on=on, points=points, level=level).redemption


def test_fee_payment_is_open_at_the_password_level_and_goes_on_next_months_bill(member):
    redemption = pay(member, 1234, on=dt.date(2026, 11, 30), key="k1")

    assert redemption.bill_month == dt.date(2026, 12, 1)
    assert account_balance(account_id=member.account.pk, as_of=dt.date(2026, 11, 30)) == 18_766


def test_the_cap_counts_every_request_of_the_calendar_month(member):
    pay(member, 2000, on=dt.date(2026, 11, 1), key="k1")
    pay(member, 2999, on=dt.date(2026, 11, 15), key="k2")
    pay(member, 1, on=dt.date(2026, 11, 30), key="k3")

    with pytest.raises(FeeCapExceeded) as refused:
        pay(member, 1, on=dt.date(2026, 11, 30), key="k4")

    assert refused.value.left == 0
    assert account_balance(account_id=member.account.pk, as_of=dt.date(2026, 11, 30)) == 15_000


def test_one_point_over_the_cap_is_refused_and_takes_nothing(member):
    with pytest.raises(FeeCapExceeded):
        pay(member, 5001, on=dt.date(2026, 11, 1), key="k1")

    assert not Redemption.objects.exists()
    assert account_balance(account_id=member.account.pk, as_of=dt.date(2026, 11, 1)) == 20_000


def test_the_cap_starts_again_next_month(member):
    pay(member, 5000, on=dt.date(2026, 11, 30), key="k1")

    again = pay(member, 5000, on=dt.date(2026, 12, 1), key="k2")

    assert again.bill_month == dt.date(2027, 1, 1)


@pytest.mark.parametrize("points", [0, -5, None])
def test_fee_payment_takes_a_whole_number_of_points_from_one(member, points):
    with pytest.raises(Refused):
        pay(member, points, on=dt.date(2026, 11, 1), key="k1")


def test_the_billing_export_lists_a_bill_months_credits_and_is_the_same_every_time(
    member, make_member, tmp_path: Path
):
    other = make_member(customer_id="CAF6000001")
    give(other, 3000, on=dt.date(2026, 4, 1))
    first = pay(member, 100, on=dt.date(2026, 11, 2), key="k1")
    second = pay(other, 250, on=dt.date(2026, 11, 20), key="k2")
    pay(member, 300, on=dt.date(2026, 12, 1), key="k3")  # on January's bill
    out = tmp_path / "bill.csv"

    call_command("billing", "export", "--month", "2026-12", "--out", str(out))
    text = out.read_text(encoding="utf-8")
    call_command("billing", "export", "--month", "2026-12", "--out", str(out))

    assert out.read_text(encoding="utf-8") == text
    assert text.splitlines() == [
        "customer_id,bill_month,yen,redemption_number",
        f"CAF6000001,2026-12,250,{second.number}",
        f"CAF7000001,2026-12,100,{first.number}",
    ]
    assert Redemption.objects.get(pk=first.pk).status == Status.FULFILLED


def test_a_cancelled_fee_payment_is_not_billed(member):
    from memberclub.rewards.services import redemption_cancel

    credit = pay(member, 100, on=dt.date(2026, 11, 2), key="k1")
    redemption_cancel(redemption_id=credit.pk, on=dt.date(2026, 11, 3), by="s", reason="r")

    assert billing_export(bill_month=dt.date(2026, 12, 1)) == []
