"""The journal by fiscal year: one key once whatever the year, partitions made ahead and on
demand, reads that prune to the years they need, and an old year detached (PostgreSQL)."""

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection

from memberclub.cli.main import main
from memberclub.domain.errors import Refused
from memberclub.jobs.accrual import accrual_run
from memberclub.ledger.models import Entry, EntryKey, EntryKind
from memberclub.ledger.selectors import account_balance, lots_as_of_sql
from memberclub.ledger.services import points_adjust
from memberclub.ledger.services.claims import existing_entry
from tests.rewards_support import give, load_catalogs, redeem

pytestmark = pytest.mark.django_db
D = dt.date
POSTGRES = connection.vendor == "postgresql"
MARCH_31, APRIL_1 = D(2027, 3, 31), D(2027, 4, 1)
# The runbook's step between the two detaches: a detached draw table keeps its keys to the
# entries and lots, which would keep the entries' partition from being detached.
DROP_DETACHED_DRAWS_KEYS = """
DO $$ DECLARE v_name text; BEGIN
  FOR v_name IN SELECT conname FROM pg_constraint
                WHERE conrelid = 'ledger_draw_fy2026'::regclass AND contype = 'f'
                  AND conparentid = 0 LOOP
    EXECUTE format('ALTER TABLE ledger_draw_fy2026 DROP CONSTRAINT %I', v_name);
  END LOOP;
END $$
"""


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """A command closes every connection when it ends; the test's transaction must survive it."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def _partition_of(entry: Entry) -> str:
    """The table that holds the entry's row: its partition on PostgreSQL."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM ledger_entry WHERE id = %s", [entry.pk]
        )
        return str(cursor.fetchone()[0])


def _partitions(table: str = "ledger_entry") -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [table],
        )
        return [name for (name,) in cursor.fetchall()]


def test_an_adjustment_retried_after_midnight_on_march_31_gives_one_entry(make_member):
    account = make_member().account

    first = points_adjust(account_id=account.pk, points=100, on=MARCH_31, reason="r", key="k")
    again = points_adjust(account_id=account.pk, points=100, on=APRIL_1, reason="r", key="k")

    assert again.pk == first.pk
    assert list(Entry.objects.values_list("effective_on", flat=True)) == [MARCH_31]
    assert account_balance(account_id=account.pk, as_of=APRIL_1) == 100
    if POSTGRES:
        assert _partition_of(first) == "ledger_entry_fy2026"


def test_a_debit_under_a_key_used_in_the_year_before_changes_nothing(make_member):
    account = make_member().account
    points_adjust(account_id=account.pk, points=500, on=D(2027, 1, 1), reason="r", key="in")
    points_adjust(account_id=account.pk, points=-100, on=MARCH_31, reason="r", key="out")

    again = points_adjust(account_id=account.pk, points=-100, on=APRIL_1, reason="r", key="out")

    assert again.effective_on == MARCH_31
    assert account_balance(account_id=account.pk, as_of=APRIL_1) == 400
    assert Entry.objects.filter(kind=EntryKind.ADJUST, points=-100).count() == 1


def test_a_redemption_retried_after_midnight_gives_one_redemption_and_one_debit(make_member):
    load_catalogs()
    member = make_member()
    give(member, 20_000, on=D(2027, 1, 1))

    first = redeem(member, "E-RICE-5KG", key="r1", on=MARCH_31)
    again = redeem(member, "E-RICE-5KG", key="r1", on=APRIL_1)

    assert (first.created, again.created) == (True, False)
    assert again.redemption.pk == first.redemption.pk
    assert Entry.objects.filter(kind=EntryKind.REDEEM).count() == 1


def test_an_accrual_rerun_in_a_year_whose_partition_it_made_writes_nothing(make_member):
    member = make_member(service_started_on=D(2020, 4, 1), discount_started_on=D(2020, 4, 1))

    first = accrual_run(program="east", month=D(2031, 5, 1)).as_dict()
    again = accrual_run(program="east", month=D(2031, 5, 1)).as_dict()

    assert (first["points"], again["points"]) == (500, 0)
    grant = Entry.objects.get(account=member.account)
    assert existing_entry("east", grant.idempotency_key) == grant
    assert EntryKey.objects.get(idempotency_key=grant.idempotency_key).effective_on == D(2031, 5, 1)
    if POSTGRES:
        assert _partition_of(grant) == "ledger_entry_fy2031"


def test_the_partitions_command_makes_the_coming_years_once(capsys):
    def run() -> dict[str, list[str]]:
        status = main(["memberclub", "ledger", "partitions", "--as-of", "2040-05-01", "--json"])
        assert status == 0
        result: dict[str, list[str]] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        return result

    first, again = run(), run()

    if not POSTGRES:
        assert first == again == {"made": [], "existing": []}
        return
    years = [
        f"{table}_fy{year}"
        for table in ("ledger_entry", "ledger_draw")
        for year in (2040, 2041, 2042)
    ]
    assert (first["made"], again["made"]) == (years, [])
    assert again["existing"] == years


def test_a_write_dated_in_a_year_without_a_partition_makes_it_first(make_member):
    account = make_member().account

    entry = points_adjust(account_id=account.pk, points=50, on=D(2045, 6, 1), reason="r", key="f")

    assert account_balance(account_id=account.pk, as_of=D(2045, 6, 1)) == 50
    if POSTGRES:
        assert _partition_of(entry) == "ledger_entry_fy2045"
        assert "ledger_draw_fy2045" in _partitions("ledger_draw")


def _scanned(sql: str, params: Any) -> list[str]:
    """The journal partitions a statement reads (EXPLAIN ANALYZE: those it ran)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {sql}", params)
        plan = [line for (line,) in cursor.fetchall()]
    return sorted(
        {
            match.group(1)
            for line in plan
            if "never executed" not in line
            for match in [re.search(r" on (ledger_(?:entry|draw)_fy\d+)", line)]
            if match
        }
    )


@pytest.mark.skipif(not POSTGRES, reason="SQLite's journal is not partitioned")
def test_a_lookup_by_key_reads_one_partition_and_a_balance_as_of_only_the_years_after(
    make_member,
):
    account = make_member().account
    for number, on in enumerate([D(2026, 5, 1), D(2027, 5, 1), D(2028, 5, 1)]):
        points_adjust(account_id=account.pk, points=10, on=on, reason="r", key=f"k{number}")
    points_adjust(account_id=account.pk, points=-15, on=D(2028, 6, 1), reason="r", key="d")

    lookup = (
        "SELECT e.id FROM ledger_entrykey k JOIN ledger_entry e"
        " ON e.account_id = k.account_id AND e.effective_on = k.effective_on"
        " AND e.program = k.program AND e.idempotency_key = k.idempotency_key"
        " WHERE k.program = %s AND k.idempotency_key = %s"
    )
    sql, params = lots_as_of_sql(as_of=D(2028, 3, 31), account_id=account.pk)

    assert _scanned(lookup, ["east", "k1"]) == ["ledger_entry_fy2027"]
    assert _scanned(sql, params) == ["ledger_draw_fy2028", "ledger_entry_fy2028"]


@pytest.mark.skipif(not POSTGRES, reason="SQLite's journal is not partitioned")
def test_an_old_year_detached_leaves_the_rest_working_and_refuses_writes_into_it(make_member):
    account = make_member().account
    points_adjust(account_id=account.pk, points=100, on=D(2026, 5, 1), reason="r", key="old")
    points_adjust(account_id=account.pk, points=-40, on=D(2026, 6, 1), reason="r", key="spent")
    points_adjust(account_id=account.pk, points=70, on=D(2027, 5, 1), reason="r", key="new")
    with connection.cursor() as cursor:
        # The runbook's steps (docs/operations.md); it detaches CONCURRENTLY, outside a
        # transaction, and a test runs inside one: its writes' deferred checks go first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE ledger_draw DETACH PARTITION ledger_draw_fy2026")
        cursor.execute(DROP_DETACHED_DRAWS_KEYS)
        cursor.execute("ALTER TABLE ledger_entry DETACH PARTITION ledger_entry_fy2026")

    points_adjust(account_id=account.pk, points=-30, on=D(2027, 6, 1), reason="r", key="later")

    assert "ledger_entry_fy2026" not in _partitions()
    # Balances read the lots and the entries after the day asked: the later years'.
    assert account_balance(account_id=account.pk, as_of=D(2027, 6, 1)) == 100
    assert account_balance(account_id=account.pk, as_of=D(2027, 5, 31)) == 130
    # A key of the archived year is still known: a retry writes nothing and says why.
    with pytest.raises(Refused, match="archived"):
        points_adjust(account_id=account.pk, points=100, on=D(2027, 7, 1), reason="r", key="old")
    # And nothing is written into the archived year.
    with pytest.raises(Refused, match="archived"):
        points_adjust(account_id=account.pk, points=5, on=D(2026, 9, 1), reason="r", key="late")
    assert not EntryKey.objects.filter(idempotency_key="late").exists()
