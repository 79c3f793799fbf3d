"""The audit re-derives every balance from the journal and names what does not add up."""

import datetime as dt
from contextlib import nullcontext

import pytest
from django.db import IntegrityError, connection, transaction

from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import Entry, EntryKind, Lot
from memberclub.ledger.services import points_credit, points_debit
from memberclub.rewards.audit import redemption_audit
from tests.rewards_support import give, load_catalogs, redeem

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
            "INSERT INTO ledger_draw (entry_id, lot_id, account_id, points, effective_on) "
            "SELECT id, %s, account_id, -1, effective_on FROM ledger_entry "
            "WHERE idempotency_key = 'b'",
            [lot.pk],
        )

    checks = {item["check"] for item in ledger_audit().violations}

    assert "draws_add_up" in checks


def test_an_entry_of_no_account_is_reported(busy_account):
    # No database checks a journal row's account (the journal's shape); the audit does.
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


def _entry_forged(key: str, *, with_key_row: bool) -> None:
    """A copy of entry 'b' under another key, written behind the services' back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_entry (program, account_id, kind, points, effective_on, "
            "expires_on, rule, period, idempotency_key, reason, shortfall) "
            "SELECT program, account_id, kind, points, effective_on, expires_on, rule, period, "
            "%s, reason, shortfall FROM ledger_entry WHERE idempotency_key = 'b'",
            [key],
        )
        if with_key_row:
            cursor.execute(
                "INSERT INTO ledger_entrykey (program, idempotency_key, account_id, effective_on)"
                " SELECT program, %s, account_id, effective_on FROM ledger_entrykey"
                " WHERE idempotency_key = 'b'",
                [key],
            )


def _rows_of(check: str) -> list[dict]:
    return next((v["rows"] for v in ledger_audit().violations if v["check"] == check), [])


def test_an_entry_without_its_key_row_is_reported(busy_account):
    _entry_forged("unclaimed", with_key_row=False)

    rows = _rows_of("entry_has_key")

    assert [(row["row_kind"], row["idempotency_key"]) for row in rows] == [("entry", "unclaimed")]


def test_a_second_entry_under_one_key_is_reported(busy_account):
    _entry_forged("b", with_key_row=False)

    rows = _rows_of("entry_has_key")

    assert [(row["row_kind"], row["idempotency_key"], row["entries"]) for row in rows] == [
        ("key", "b", 2)
    ]


def test_a_key_row_of_another_date_than_its_entry_is_reported(busy_account):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_entrykey (program, idempotency_key, account_id, effective_on)"
            " SELECT program, 'lost', account_id, %s FROM ledger_entrykey"
            " WHERE idempotency_key = 'b'",
            [dt.date(2027, 4, 1)],
        )

    rows = _rows_of("entry_has_key")

    assert [(row["row_kind"], row["idempotency_key"], row["entries"]) for row in rows] == [
        ("key", "lost", 0)
    ]


def test_a_draw_of_no_entry_is_reported_and_refused_on_postgresql(busy_account):
    lot = Lot.objects.filter(account_id=busy_account).order_by("expires_on").first()
    assert lot is not None
    # SQLite has no foreign key there; PostgreSQL's, deferred, refuses the draw at commit.
    refused = pytest.raises(IntegrityError) if connection.vendor == "postgresql" else nullcontext()
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_draw (entry_id, lot_id, account_id, points, effective_on) "
            "VALUES (%s, %s, %s, -1, %s)",
            [10_000_000, lot.pk, busy_account, ON],
        )
        rows = _rows_of("draw_names_entry_and_lot")
        assert [row["entry_id"] for row in rows] == [10_000_000]
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_redemption_whose_debit_is_not_its_redeem_entry_is_reported(make_member):
    load_catalogs()
    member = make_member()
    give(member, 20_000, key="g")
    redemption = redeem(member, "E-RICE-5KG", key="r").redemption
    grant = Entry.objects.get(idempotency_key="g")
    assert redemption_audit() == []
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE rewards_redemption SET debit_id = %s WHERE id = %s", [grant.pk, redemption.pk]
        )

    found = redemption_audit()

    assert [(v["check"], [row["id"] for row in v["rows"]]) for v in found] == [
        ("redemption_names_entries", [redemption.pk])
    ]
