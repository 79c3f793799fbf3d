"""Redemptions racing the accrual and expiry jobs on the same accounts: every point counted once."""

import datetime as dt

import pytest
from django.db.models import Sum

from memberclub.jobs.accrual import accrual_run
from memberclub.jobs.expiry import expiry_run
from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import Draw, Entry, EntryKind, Lot
from memberclub.ledger.selectors import account_balance
from memberclub.rewards.services import RedemptionOutcome
from tests.concurrency import at_once
from tests.rewards_support import give, load_catalogs, redeem

pytestmark = pytest.mark.django_db(transaction=True)
MEMBERS = 6
# A redemption dated the last day of a lot, in flight at midnight while the expiry job of the
# next day runs and the month's accrual grants into a lot of its own.
LAST_DAY, EXPIRY_DAY = dt.date(2027, 3, 31), dt.date(2027, 4, 1)
OLD_LOT_EXPIRES = dt.date(2027, 3, 31)


def test_redemptions_racing_an_accrual_and_an_expiry_chunk_lose_no_point(make_member):
    load_catalogs()
    members = [make_member() for _ in range(MEMBERS)]
    for member in members:
        give(member, 1000, on=dt.date(2024, 5, 1))  # expires 2027-03-31
        give(member, 5000, on=dt.date(2025, 5, 1))  # expires 2028-03-31

    def work(index: int) -> object:
        if index == MEMBERS:
            return expiry_run(program="east", as_of=EXPIRY_DAY)
        if index == MEMBERS + 1:
            return accrual_run(program="east", month=EXPIRY_DAY)
        return redeem(members[index], "E-COFFEE-30", key="midnight", on=LAST_DAY)

    results = at_once(MEMBERS + 2, work)

    errors = [result for result in results if isinstance(result, Exception)]
    assert errors == []
    assert all(isinstance(result, RedemptionOutcome) for result in results[:MEMBERS])
    for member in members:
        account_id = member.account.pk
        old_lot = Lot.objects.get(account_id=account_id, expires_on=OLD_LOT_EXPIRES)
        spent = -(Draw.objects.filter(lot=old_lot).aggregate(total=Sum("points"))["total"] or 0)
        expired = -sum(
            Entry.objects.filter(
                account_id=account_id, kind=EntryKind.EXPIRE, expires_on=OLD_LOT_EXPIRES
            ).values_list("points", flat=True)
        )
        granted = sum(
            Entry.objects.filter(
                account_id=account_id, kind=EntryKind.GRANT, effective_on=EXPIRY_DAY
            ).values_list("points", flat=True)
        )
        # The old lot went either to the redemption or to the expiry, never to both.
        assert (old_lot.remaining, spent + expired) == (0, 1000)
        assert granted > 0
        # What the redemption did not take from the old lot it took from the next.
        balance = account_balance(account_id=account_id, as_of=EXPIRY_DAY)
        assert balance == 5000 - (1500 - spent) + granted
    assert ledger_audit().ok
