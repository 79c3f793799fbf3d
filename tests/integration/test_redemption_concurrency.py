"""Concurrent exchanges: stock never below zero, one redemption per key, the cap holds."""

import datetime as dt

import pytest

from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.selectors import account_balance
from memberclub.rewards.errors import FeeCapExceeded, OutOfStock
from memberclub.rewards.models import Item, Redemption
from memberclub.rewards.services import RedemptionOutcome
from tests.concurrency import at_once
from tests.rewards_support import TODAY, give, item_with, load_catalogs, redeem

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_members_racing_for_the_last_piece_make_exactly_one_exchange(make_member):
    load_catalogs()
    item_with("E-WAGYU-400", stock=1)
    members = [make_member() for _ in range(10)]
    for member in members:
        give(member, 10_000)

    results = at_once(10, lambda i: redeem(members[i], "E-WAGYU-400", key=f"race-{i}"))

    won = [r for r in results if isinstance(r, RedemptionOutcome)]
    lost = [r for r in results if isinstance(r, OutOfStock)]
    assert (len(won), len(lost)) == (1, 9)
    assert Item.objects.get(code="E-WAGYU-400").stock == 0
    assert Redemption.objects.count() == 1
    balances = sorted(account_balance(account_id=m.account.pk, as_of=TODAY) for m in members)
    assert balances == [2000] + [10_000] * 9
    assert ledger_audit().ok


def test_the_same_form_sent_four_times_at_once_makes_one_redemption(make_member):
    load_catalogs()
    member = make_member()
    give(member, 10_000)

    results = at_once(4, lambda i: redeem(member, "E-RICE-5KG", key="one-form"))

    assert all(isinstance(r, RedemptionOutcome) for r in results)
    assert len({r.redemption.pk for r in results if isinstance(r, RedemptionOutcome)}) == 1
    assert account_balance(account_id=member.account.pk, as_of=TODAY) == 7000


def test_concurrent_fee_payments_never_pass_the_monthly_cap(make_member):
    load_catalogs()
    member = make_member()
    give(member, 50_000)

    results = at_once(
        8, lambda i: redeem(member, "E-FEE", key=f"fee-{i}", points=1000, on=dt.date(2026, 11, 5))
    )

    assert sum(isinstance(r, RedemptionOutcome) for r in results) == 5
    assert sum(isinstance(r, FeeCapExceeded) for r in results) == 3
    assert ledger_audit().ok
