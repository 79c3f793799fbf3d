"""The `rewards_redeem` function and the Python steps write the same rows for the same requests.

PostgreSQL redeems in one server function, SQLite statement by statement from Python
(`rewards.services.redemption.redeem_step_by_step`). Here both run on PostgreSQL from the
same state, and every row either wrote is compared: this test is what holds the function's
soonest-expiry loop to `domain.allocation.allocate`, and its column lists to the models.
"""

import datetime as dt
import re
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection, transaction

from memberclub.domain.errors import Refused
from memberclub.domain.program import Level
from memberclub.ledger.columns import DRAW_COLUMNS, ENTRY_COLUMNS, written_columns
from memberclub.members.models import Member
from memberclub.rewards.models import Redemption
from memberclub.rewards.services import codes_load, request
from memberclub.rewards.services.redemption import Ask, RedemptionOutcome, redeem_step_by_step
from tests.rewards_support import give, item_with, load_catalogs, redeem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the rewards_redeem function exists on PostgreSQL only")


# Each scenario: a request and what makes it interesting.
SCENARIOS: list[tuple[str, dict[str, Any]]] = [
    ("E-RICE-5KG", {"key": "k1"}),  # stock lowered; 1,000 from the older lot, 2,000 from the next
    ("E-RICE-5KG", {"key": "k1"}),  # the same key again: the first redemption, nothing written
    ("E-SWEETS", {"key": "k1"}),  # the key reused for another item: refused
    ("E-CINEMA", {"key": "k2"}),  # a digital code handed out, the pool's stock lowered
    ("E-CINEMA", {"key": "k3"}),  # the pool is empty: sold out
    ("E-TOWEL-SET", {"key": "k4"}),  # stock 0: sold out
    ("E-FEE", {"key": "k5", "points": 3000, "level": Level.PASSWORD}),  # within the monthly cap
    ("E-FEE", {"key": "k6", "points": 2500, "level": Level.PASSWORD}),  # over the cap
    ("E-WAGYU-400", {"key": "k7"}),  # more than is left: insufficient
    ("E-COFFEE-30", {"key": "k8"}),  # unlimited stock; drawn from the newer lot alone
]


def _arrange(make_member: Callable[[], Member]) -> Member:
    load_catalogs()
    member = make_member()
    give(member, 1000, on=dt.date(2025, 5, 1))  # expires 2028-03-31: drawn first
    give(member, 9000, on=dt.date(2026, 4, 1))  # expires 2029-03-31
    codes_load(item_code="E-CINEMA", codes=["CINEMA-1"])
    item_with("E-TOWEL-SET", stock=0)
    return member


def _outcome(call: Callable[[], Any]) -> tuple[Any, ...]:
    """What a caller sees: the redemption's fields but the random number, or the refusal."""
    try:
        outcome = call()
    except Refused as error:
        return (type(error).__name__, str(error))
    redemption = outcome.redemption
    fields = {
        field.attname: getattr(redemption, field.attname)
        for field in Redemption._meta.concrete_fields
        if field.attname not in {"id", "number", "requested_at", "debit_id"}
    }
    return ("created" if outcome.created else "existing", sorted(fields.items()))


def _rows(table: str, ignore: set[str], refs: dict[str, dict[Any, Any]]) -> list[tuple[Any, ...]]:
    """Every row of a table, but the ignored columns, with ids of rows written by the run
    replaced by what identifies them (an entry by its key)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY 1")
        names = [column.name for column in cursor.description]
        found = cursor.fetchall()
    rows = []
    for row in found:
        values = dict(zip(names, row, strict=True))
        rows.append(
            tuple(
                (name, refs[name].get(value, value) if name in refs else value)
                for name, value in sorted(values.items())
                if name not in ignore
            )
        )
    return sorted(rows, key=repr)


def _written() -> dict[str, list[tuple[Any, ...]]]:
    """The ledger's and the catalog's rows, comparable between two runs."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, program || ':' || idempotency_key FROM ledger_entry")
        entries = dict(cursor.fetchall())
        cursor.execute("SELECT id, member_id || ':' || idempotency_key FROM rewards_redemption")
        redemptions = dict(cursor.fetchall())
    by_entry = {"entry_id": entries, "debit_id": entries, "refund_id": entries}
    return {
        "entries": _rows("ledger_entry", {"id", "created_at"}, {"reverses_id": entries}),
        "draws": _rows("ledger_draw", {"id"}, by_entry),
        "lots": _rows("ledger_lot", set(), {}),
        "redemptions": _rows("rewards_redemption", {"id", "number", "requested_at"}, by_entry),
        "stock": _rows("rewards_item", set(), {}),
        "codes": _rows("rewards_digitalcode", set(), {"redemption_id": redemptions}),
    }


def _run(member: Member) -> tuple[list[tuple[Any, ...]], dict[str, list[tuple[Any, ...]]]]:
    """Run every scenario, note the outcomes and the rows, then undo it all."""
    with transaction.atomic():
        outcomes = [_outcome(partial(redeem, member, code, **asked)) for code, asked in SCENARIOS]
        written = _written()
        transaction.set_rollback(True)
    return outcomes, written


def test_the_server_function_and_the_python_steps_write_the_same_rows(make_member, monkeypatch):
    member = _arrange(make_member)

    on_server = _run(member)
    stepped: list[object] = []

    def step_by_step_instead(ask: Ask) -> RedemptionOutcome:
        stepped.append(ask)
        return redeem_step_by_step(ask)

    monkeypatch.setattr(request, "redeem_on_server", step_by_step_instead)
    step_by_step = _run(member)

    assert len(stepped) == len(SCENARIOS)
    assert on_server[0] == step_by_step[0]
    for table, rows in on_server[1].items():
        assert rows == step_by_step[1][table], table
    # The scenarios did what their comments say, on both paths alike.
    kinds = [outcome[0] for outcome in on_server[0]]
    assert kinds == [
        "created",
        "existing",
        "KeyReused",
        "created",
        "OutOfStock",
        "OutOfStock",
        "created",
        "FeeCapExceeded",
        "InsufficientPoints",
        "created",
    ]
    assert len(on_server[1]["draws"]) == 5  # two lots, then one, one and one


def _function_source() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'rewards_redeem'")
        return str(cursor.fetchone()[0])


def _inserted_columns(table: str) -> tuple[str, ...]:
    found = re.search(rf"INSERT INTO {table} \(([^)]*)\)", _function_source())
    assert found, f"rewards_redeem writes no {table} row"
    return tuple(column.strip() for column in found.group(1).split(","))


def test_the_server_function_writes_every_column_of_the_ledger_and_the_redemption():
    # A field added to Entry, Draw or Redemption fails here until the function writes it
    # (a new sql file and migration, rewards/sql/).
    assert _inserted_columns("ledger_entry") == ENTRY_COLUMNS
    assert _inserted_columns("ledger_draw") == DRAW_COLUMNS
    assert _inserted_columns("rewards_redemption") == written_columns(Redemption)


def test_the_column_lists_are_the_tables_columns():
    # Everything but the id and what the database's clock fills (writers name their columns,
    # so the order is the model's, not the table's).
    with connection.cursor() as cursor:
        for table, columns in [("ledger_entry", ENTRY_COLUMNS), ("ledger_draw", DRAW_COLUMNS)]:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
                " AND column_name NOT IN ('id', 'created_at')",
                [table],
            )
            assert sorted(row[0] for row in cursor.fetchall()) == sorted(columns)
