"""Support cancels a requested redemption: the points go back to the very lots they came from."""

import datetime as dt

import pytest

from memberclub.domain.errors import Refused
from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import Entry, EntryKind, Lot
from memberclub.ledger.selectors import account_balance
from memberclub.rewards.models import DigitalCode, Item, Status
from memberclub.rewards.selectors import fee_payment_item
from memberclub.rewards.services import codes_load, digital_code_show, redemption_cancel
from tests.rewards_support import TODAY, give, load_catalogs, redeem

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(make_member):
    load_catalogs()
    member = make_member()
    # Two lots: 1,000 points expiring 2027-03-31 and 5,000 expiring 2028-03-31.
    give(member, 1000, on=dt.date(2024, 4, 1), key="old")
    give(member, 5000, on=dt.date(2025, 4, 1), key="new")
    return member


def remaining(member) -> dict[dt.date, int]:
    return dict(Lot.objects.filter(account=member.account).values_list("expires_on", "remaining"))


def cancel(redemption, on=TODAY):
    return redemption_cancel(redemption_id=redemption.pk, on=on, by="support1", reason="asked")


def test_a_cancelled_redemption_gives_back_to_the_exact_lots_and_restores_stock(member):
    before = remaining(member)
    stock = Item.objects.get(code="E-RICE-5KG").stock
    redemption = redeem(member, "E-RICE-5KG", key="k1").redemption
    assert remaining(member) == {dt.date(2027, 3, 31): 0, dt.date(2028, 3, 31): 3000}

    cancelled = cancel(redemption)

    assert cancelled.status == Status.CANCELED
    assert remaining(member) == before
    refund = Entry.objects.get(pk=cancelled.refund_id)
    assert refund.kind == EntryKind.REFUND and refund.points == 3000
    assert refund.reverses_id == redemption.debit_id
    assert {(d.lot.expires_on, d.points) for d in refund.draws.all()} == {
        (dt.date(2027, 3, 31), 1000),
        (dt.date(2028, 3, 31), 2000),
    }
    assert Item.objects.get(code="E-RICE-5KG").stock == stock
    assert ledger_audit().ok


def test_a_part_whose_lot_expired_since_expires_again_at_once(member):
    redemption = redeem(member, "E-RICE-5KG", key="k1", on=dt.date(2027, 3, 1)).redemption

    cancel(redemption, on=dt.date(2027, 4, 2))

    assert remaining(member) == {dt.date(2027, 3, 31): 0, dt.date(2028, 3, 31): 5000}
    assert account_balance(account_id=member.account.pk, as_of=dt.date(2027, 4, 2)) == 5000
    expired = Entry.objects.get(account=member.account, kind=EntryKind.EXPIRE)
    assert (expired.points, expired.expires_on) == (-1000, dt.date(2027, 3, 31))
    assert ledger_audit().ok


def test_the_history_shows_the_redemption_and_its_refund(member):
    redemption = redeem(member, "E-RICE-5KG", key="k1").redemption
    cancel(redemption)

    kinds = list(
        Entry.objects.filter(account=member.account, kind__in=["REDEEM", "REFUND"])
        .order_by("id")
        .values_list("kind", "points")
    )

    assert kinds == [("REDEEM", -3000), ("REFUND", 3000)]


def test_only_a_requested_redemption_can_be_cancelled_and_only_once(member):
    redemption = redeem(member, "E-RICE-5KG", key="k1").redemption
    cancel(redemption)

    with pytest.raises(Refused, match="CANCELED"):
        cancel(redemption)

    assert account_balance(account_id=member.account.pk, as_of=TODAY) == 6000


def test_a_shown_digital_code_cannot_be_cancelled(member):
    codes_load(item_code="E-CAFE-DRINK", codes=["C1"])
    redemption = redeem(member, "E-CAFE-DRINK", key="k1").redemption
    digital_code_show(redemption=redemption)

    with pytest.raises(Refused):
        cancel(redemption)


def test_an_unshown_digital_code_goes_back_to_the_pool_on_cancel(member):
    codes_load(item_code="E-CAFE-DRINK", codes=["C1"])
    redemption = redeem(member, "E-CAFE-DRINK", key="k1").redemption

    cancel(redemption)

    code = DigitalCode.objects.get(code="C1")
    assert code.redemption_id is None
    assert Item.objects.get(code="E-CAFE-DRINK").stock == 1


def test_a_cancelled_fee_payment_frees_its_part_of_the_monthly_cap(member):
    give(member, 10_000, on=dt.date(2026, 4, 1), key="more")
    code = fee_payment_item(program="east", on=TODAY).code
    first = redeem(member, code, key="k1", points=5000).redemption

    cancel(first)
    again = redeem(member, code, key="k2", points=5000)

    assert again.created


def test_a_cancellation_needs_a_reason(member):
    redemption = redeem(member, "E-RICE-5KG", key="k1").redemption

    with pytest.raises(Refused, match="reason"):
        redemption_cancel(redemption_id=redemption.pk, on=TODAY, by="s", reason=" ")
