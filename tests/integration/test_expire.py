"""The expiry job and the points export: what has passed its last usable day, and what has not."""

import csv
import datetime as dt
import json

import pytest
from django.db import connection

from memberclub.cli.main import main
from memberclub.jobs.expiry import expiry_run
from memberclub.jobs.export import points_export
from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import Entry, EntryKind, Lot
from memberclub.ledger.selectors import account_balance
from memberclub.ledger.services import account_close_out, points_adjust, points_credit

pytestmark = pytest.mark.django_db
D = dt.date


def _credit(member, points: int, on: dt.date) -> None:
    points_credit(
        account_id=member.account.pk, points=points, award_on=on, key=f"t:{member.pk}:{on}"
    )


def test_a_lot_past_its_expiry_date_is_expired_the_day_after(make_member):
    member = make_member()
    _credit(member, 500, D(2026, 11, 1))  # usable through 2029-03-31
    _credit(member, 300, D(2027, 4, 1))  # usable through 2030-03-31

    result = expiry_run(program="east", as_of=D(2029, 4, 1)).as_dict()

    assert result == {"lots": 1, "points": 500}
    lot = Lot.objects.get(account=member.account, expires_on=D(2029, 3, 31))
    entry = Entry.objects.get(kind=EntryKind.EXPIRE)
    assert (lot.granted, lot.remaining) == (500, 0)
    assert (entry.points, entry.effective_on, entry.expires_on) == (
        -500,
        D(2029, 4, 1),
        D(2029, 3, 31),
    )
    assert entry.idempotency_key == f"expire:{lot.pk}:2029-04-01"
    assert account_balance(account_id=member.account.pk, as_of=D(2029, 4, 1)) == 300
    assert ledger_audit().ok


def test_points_are_usable_through_the_expiry_date_itself(make_member):
    member = make_member()
    _credit(member, 500, D(2026, 11, 1))

    result = expiry_run(program="east", as_of=D(2029, 3, 31)).as_dict()

    assert result == {"lots": 0, "points": 0}
    assert Lot.objects.get(account=member.account).remaining == 500


def test_only_what_is_left_expires_and_running_again_changes_nothing(make_member):
    member = make_member()
    _credit(member, 500, D(2026, 11, 1))
    points_adjust(account_id=member.account.pk, points=-120, on=D(2027, 1, 1), reason="r", key="a")

    first = expiry_run(program="east", as_of=D(2029, 4, 1)).as_dict()
    again = expiry_run(program="east", as_of=D(2029, 4, 1)).as_dict()
    later = expiry_run(program="east", as_of=D(2029, 5, 1)).as_dict()

    assert first == {"lots": 1, "points": 380}
    assert again == later == {"lots": 0, "points": 0}
    assert ledger_audit().ok


def test_a_lot_a_close_out_expired_already_is_not_expired_again(make_member):
    member = make_member()
    _credit(member, 500, D(2026, 11, 1))
    account_close_out(account_id=member.account.pk, on=D(2029, 4, 1), key="close", reason="r")

    result = expiry_run(program="east", as_of=D(2029, 4, 1)).as_dict()

    assert result == {"lots": 0, "points": 0}
    assert Entry.objects.filter(kind=EntryKind.EXPIRE).count() == 1


def test_the_other_programs_lots_are_left_alone(make_member):
    east = make_member()
    west = make_member(program="west", discount="")
    _credit(east, 500, D(2026, 11, 1))
    _credit(west, 700, D(2026, 11, 1))  # usable through 2029-04-30

    expiry_run(program="east", as_of=D(2029, 4, 1))
    west_result = expiry_run(program="west", as_of=D(2029, 4, 1)).as_dict()

    assert west_result == {"lots": 0, "points": 0}
    assert Lot.objects.get(account=west.account).remaining == 700
    assert expiry_run(program="west", as_of=D(2029, 5, 1)).as_dict() == {"lots": 1, "points": 700}


def test_the_export_lists_every_usable_lot_with_points_left(make_member, tmp_path):
    first = make_member(customer_id="CAF0000002")
    second = make_member(customer_id="CAF0000001", program="west", discount="")
    _credit(first, 500, D(2026, 11, 1))
    _credit(first, 300, D(2027, 4, 1))
    _credit(second, 700, D(2026, 11, 1))
    points_adjust(account_id=first.account.pk, points=-300, on=D(2027, 4, 2), reason="r", key="a")
    out = tmp_path / "lots.csv"

    result = points_export(as_of=D(2028, 1, 1), out=out).as_dict()

    assert result == {"out": str(out), "rows": 3, "points": 1200}
    with out.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["customer_id", "program", "expires_on", "remaining"],
            ["CAF0000001", "west", "2029-04-30", "700"],
            ["CAF0000002", "east", "2029-03-31", "200"],
            ["CAF0000002", "east", "2030-03-31", "300"],
        ]
    later = points_export(as_of=D(2029, 4, 1), out=out).as_dict()
    assert (later["rows"], later["points"]) == (2, 1000)


def test_the_commands_print_a_summary_and_the_json_last(make_member, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    member = make_member()
    _credit(member, 500, D(2026, 11, 1))

    expire = ["memberclub", "expire", "--program", "east", "--as-of", "2029-04-01", "--json"]
    assert main(expire) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    export = ["memberclub", "points", "export", "--as-of", "2029-04-01"]
    assert main([*export, "--out", str(tmp_path / "lots.csv"), "--json"]) == 0
    exported = capsys.readouterr().out.strip().splitlines()

    assert lines[0].startswith("expired 1 lots, 500 points")
    assert json.loads(lines[-1]) == {"lots": 1, "points": 500}
    assert json.loads(exported[-1])["rows"] == 0


def _lot_updates() -> tuple[int, int]:
    """Updates of lots in this transaction so far: all of them, and those made in place."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables"
            " WHERE relname = 'ledger_lot'"
        )
        updated, in_place = cursor.fetchone()
    return int(updated), int(in_place)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="HOT updates are PostgreSQL's")
def test_a_lots_points_are_rewritten_on_its_page_without_touching_an_index(make_member):
    # A grant added to a lot and its expiry rewrite `remaining`; with no index naming it and
    # room kept on each page, every such rewrite is a heap-only (HOT) update, the reason the
    # expiry of a million lots writes no index entry for them (docs/decisions.md).
    members = [make_member() for _ in range(3)]
    for member in members:
        _credit(member, 500, D(2026, 11, 1))
    # The counts are the transaction's, which a test may share with the fixtures before it.
    before = _lot_updates()
    for member in members:
        points_credit(
            account_id=member.account.pk, points=200, award_on=D(2027, 1, 1), key=f"u:{member.pk}"
        )

    expiry_run(program="east", as_of=D(2029, 4, 1))

    after = _lot_updates()
    updated, in_place = after[0] - before[0], after[1] - before[1]
    assert updated == 6  # a grant and an expiry for each of the three lots
    assert in_place == updated
    assert [lot.remaining for lot in Lot.objects.order_by("pk")] == [0, 0, 0]
