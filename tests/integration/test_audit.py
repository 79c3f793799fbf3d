"""The audit re-derives every balance from the journal and names what does not add up."""

import datetime as dt

import pytest
from django.db import connection

from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import EntryKind, Lot
from memberclub.ledger.services import points_credit, points_debit

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 11, 1)


@pytest.fixture
def busy_account(make_member):
    account_id = make_member().account.pk
    points_credit(account_id=account_id, points=500, award_on=dt.date(2025, 11, 1), key="a")
    points_credit(account_id=account_id, points=300, award_on=ON, key="b")
    points_debit(account_id=account_id, points=600, on=ON, key="c", kind=EntryKind.REDEEM)
    return account_id


def test_a_consistent_ledger_passes(busy_account):
    assert ledger_audit().ok


def test_a_lot_changed_behind_the_journal_is_reported(busy_account):
    lot = Lot.objects.filter(account_id=busy_account).order_by("expires_on").last()
    assert lot is not None
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_lot SET remaining = remaining - 1 WHERE id = %s", [lot.pk])

    result = ledger_audit()

    checks = {item["check"] for item in result.violations}
    assert not result.ok
    assert {"lot_matches_journal", "account_balance", "program_roll_forward"} <= checks
    lot_rows = next(v["rows"] for v in result.violations if v["check"] == "lot_matches_journal")
    assert [row["id"] for row in lot_rows] == [lot.pk]


def test_a_debit_whose_draws_do_not_add_up_is_reported(busy_account):
    lot = Lot.objects.filter(account_id=busy_account).order_by("expires_on").first()
    assert lot is not None
    with connection.cursor() as cursor:
        # A forged extra draw with a matching lot change: the lots still add up, the entry not.
        cursor.execute(
            "INSERT INTO ledger_draw (entry_id, lot_id, account_id, points) "
            "SELECT id, %s, account_id, -1 FROM ledger_entry WHERE idempotency_key = 'b'",
            [lot.pk],
        )

    checks = {item["check"] for item in ledger_audit().violations}

    assert "draws_add_up" in checks


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite keeps the journal's account foreign key"
)
def test_an_entry_of_no_account_is_reported(busy_account):
    # PostgreSQL checks no foreign key on a journal row's account (the journal's shape); the
    # audit does.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_entry (program, account_id, kind, points, effective_on, rule, "
            "period, idempotency_key, reason, shortfall) "
            "SELECT program, account_id + 1000000, kind, points, effective_on, rule, period, "
            "'orphan', reason, shortfall FROM ledger_entry WHERE idempotency_key = 'c'"
        )
        cursor.execute("SELECT id FROM ledger_entry WHERE idempotency_key = 'orphan'")
        (orphan,) = cursor.fetchone()

    result = ledger_audit()

    rows = next(v["rows"] for v in result.violations if v["check"] == "program_matches_account")
    assert {"row_kind": "entry", "id": orphan} in rows


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite keeps the reversal's foreign key"
)
def test_a_reversal_of_no_entry_is_reported(busy_account):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_entry (program, account_id, kind, points, effective_on, rule, "
            "period, idempotency_key, reason, shortfall, reverses_id) "
            "SELECT program, account_id, 'REFUND', 1, effective_on, rule, period, 'forged', "
            "reason, shortfall, id + 1000000 FROM ledger_entry WHERE idempotency_key = 'c'"
        )

    checks = {item["check"] for item in ledger_audit().violations}

    assert "reversal_names_entry" in checks
