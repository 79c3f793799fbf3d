"""Concurrent writers on one account: never an overdraft, never a key counted twice."""

import datetime as dt

import pytest

from memberclub.domain.errors import InsufficientPoints
from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import Entry, EntryKind
from memberclub.ledger.selectors import account_balance
from memberclub.ledger.services import points_credit, points_debit
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)
ON = dt.date(2026, 11, 1)


def _funded_account(make_member, points: int) -> int:
    account_id: int = make_member().account.pk
    points_credit(account_id=account_id, points=points, award_on=ON, key="funding")
    return account_id


@pytest.mark.parametrize(("writers", "affordable"), [(16, 5), (20, 10)])
def test_concurrent_debits_succeed_exactly_as_often_as_the_balance_allows(
    make_member, writers, affordable
):
    account_id = _funded_account(make_member, affordable * 100 + 99)

    results = at_once(
        writers,
        lambda i: points_debit(
            account_id=account_id, points=100, on=ON, key=f"debit-{i}", kind=EntryKind.REDEEM
        ),
    )

    succeeded = [r for r in results if isinstance(r, Entry)]
    refused = [r for r in results if isinstance(r, InsufficientPoints)]
    assert len(succeeded) == affordable
    assert len(refused) == writers - affordable
    assert account_balance(account_id=account_id, as_of=ON) == 99
    assert ledger_audit().ok


def test_the_same_key_from_two_writers_at_once_makes_one_entry(make_member):
    account_id = _funded_account(make_member, 1000)

    results = at_once(
        2,
        lambda i: points_debit(
            account_id=account_id, points=300, on=ON, key="same-key", kind=EntryKind.REDEEM
        ),
    )

    assert all(isinstance(r, Entry) for r in results)
    assert {r.pk for r in results if isinstance(r, Entry)} == {
        Entry.objects.get(idempotency_key="same-key").pk
    }
    assert account_balance(account_id=account_id, as_of=ON) == 700
    assert ledger_audit().ok


def test_the_same_grant_key_from_many_writers_grants_once(make_member):
    account_id = make_member().account.pk

    at_once(
        8,
        lambda i: points_credit(account_id=account_id, points=100, award_on=ON, key="grant-once"),
    )

    assert Entry.objects.filter(idempotency_key="grant-once").count() == 1
    assert account_balance(account_id=account_id, as_of=ON) == 100
    assert ledger_audit().ok


def test_one_key_used_for_two_accounts_at_once_makes_one_entry_and_takes_from_one(make_member):
    first, second = make_member().account.pk, make_member().account.pk
    for account_id in (first, second):
        points_credit(account_id=account_id, points=1000, award_on=ON, key=f"fund-{account_id}")

    results = at_once(
        2,
        lambda i: points_debit(
            account_id=(first, second)[i], points=300, on=ON, key="shared", kind=EntryKind.REDEEM
        ),
    )

    assert all(isinstance(r, Entry) for r in results)
    assert len({r.pk for r in results if isinstance(r, Entry)}) == 1
    balances = sorted(account_balance(account_id=a, as_of=ON) for a in (first, second))
    assert balances == [700, 1000]
    assert ledger_audit().ok
