"""The schema is ready to be distributed by the account key (SPEC §12, `memberclub.distribution`).

Read from the database's own catalog after the migrations: PostgreSQL's pg_index (every primary
key, unique constraint and unique index, partial ones included) and SQLite's PRAGMA index_list.
A member-owned table's primary key and unique keys must each hold the column that carries the
account key; SQLite cannot change a primary key in place, so there only the unique keys are held
to it. And every table with an `account_id` or `member_id` column must have a place in the lists,
so a new table cannot be forgotten.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import IntegrityError, connection, transaction

from memberclub.distribution import (
    CONTRACT_TABLES,
    GLOBAL_KEYS,
    LEDGER_TABLES,
    LOCAL_TABLES,
    MEMBER_OWNED,
    OWN_KEY_TABLES,
    REFERENCE_TABLES,
    placement,
)
from memberclub.fulfilment.models import Shipment
from memberclub.ledger.models import Account
from tests.rewards_support import give, load_catalogs, redeem

pytestmark = pytest.mark.django_db

OWNER_COLUMNS = ("account_id", "member_id")


@dataclass(frozen=True)
class UniqueKey:
    """A primary key, unique constraint or unique index, as the database holds it."""

    name: str
    columns: tuple[str, ...]
    primary: bool


def schema_tables() -> set[str]:
    """The tables in the schema (a partitioned table once, not its partitions)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_class c "
                "WHERE c.relnamespace = current_schema()::regnamespace "
                "AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        return {row[0] for row in cursor.fetchall()}


def table_columns(table: str) -> set[str]:
    """The column names of `table`."""
    with connection.cursor() as cursor:
        return {
            column.name for column in connection.introspection.get_table_description(cursor, table)
        }


def unique_keys(table: str) -> list[UniqueKey]:
    """Every key of `table` that the database holds unique (on SQLite: not the primary key)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                SELECT i.relname, x.indisprimary,
                       ARRAY(SELECT COALESCE(a.attname, '(expression)')
                             FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
                             LEFT JOIN pg_attribute a
                               ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                             ORDER BY k.n)
                FROM pg_index x
                JOIN pg_class i ON i.oid = x.indexrelid
                WHERE x.indrelid = %s::regclass AND x.indisunique
                """,
                [table],
            )
            return [UniqueKey(name, tuple(columns), primary) for name, primary, columns in cursor]
        keys = []
        for _, name, unique, origin, _ in cursor.execute(
            f'PRAGMA index_list("{table}")'
        ).fetchall():
            if unique and origin != "pk":
                info = cursor.execute(f'PRAGMA index_info("{name}")').fetchall()
                keys.append(UniqueKey(name, tuple(column for _, _, column in info), False))
        return keys


def keys_without_account_key(table: str) -> list[str]:
    """The keys of a member-owned table that lack its account-key column, save the global ones."""
    column = MEMBER_OWNED[table]
    return [
        f"{'primary key' if key.primary else key.name} {key.columns}"
        for key in unique_keys(table)
        if column not in key.columns and (table, key.columns) not in GLOBAL_KEYS
    ]


@pytest.mark.parametrize("table", sorted(MEMBER_OWNED))
def test_a_member_owned_table_has_the_account_key_in_every_unique_key(table):
    assert MEMBER_OWNED[table] in table_columns(table)
    assert keys_without_account_key(table) == []


def test_on_postgresql_the_journal_keys_carry_the_account_and_the_date():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps its rowid keys and an unpartitioned journal")
    primaries = {
        table: [key.columns for key in unique_keys(table) if key.primary]
        for table in sorted(LEDGER_TABLES)
    }
    assert primaries == {
        "ledger_account": [("id",)],
        "ledger_draw": [("id", "account_id", "effective_on")],
        "ledger_entry": [("id", "account_id", "effective_on")],
        "ledger_lot": [("id", "account_id")],
    }


def test_the_key_table_is_keyed_by_the_key_alone():
    keys = [key.columns for key in unique_keys("ledger_entrykey")]
    # SQLite's own primary key is not among the keys `unique_keys` reads there.
    assert keys == ([("program", "idempotency_key")] if connection.vendor == "postgresql" else [])
    assert placement("ledger_entrykey") == "own key"


def test_on_postgresql_the_primary_keys_are_held_to_the_rule_and_on_sqlite_they_are_not_read():
    primaries = [key.columns for key in unique_keys("notifications_noticemail") if key.primary]
    assert primaries == ([("id", "member_id")] if connection.vendor == "postgresql" else [])


@pytest.fixture
def shipped_redemption(make_member):
    """A requested shipped redemption of a member with points."""
    load_catalogs()
    member = make_member()
    give(member, 20_000)
    return redeem(member, "E-RICE-5KG", key="k1").redemption


def test_a_second_shipment_of_one_redemption_is_refused(shipped_redemption):
    def ship() -> Shipment:
        return Shipment.objects.create(
            redemption=shipped_redemption,
            account_id=shipped_redemption.account_id,
            tracking_number="1234",
            shipped_on=dt.date(2026, 11, 28),
        )

    ship()
    with pytest.raises(IntegrityError), transaction.atomic():
        ship()
    assert Shipment.objects.filter(redemption=shipped_redemption).count() == 1


def test_on_postgresql_a_shipment_under_another_account_than_its_redemption_is_refused(
    shipped_redemption, make_member
):
    if connection.vendor != "postgresql":
        pytest.skip("the shipment's two-column foreign key exists on PostgreSQL only")
    other = Account.objects.get(member=make_member())
    with pytest.raises(IntegrityError), transaction.atomic():
        Shipment.objects.create(
            redemption=shipped_redemption,
            account_id=other.pk,
            tracking_number="1234",
            shipped_on=dt.date(2026, 11, 28),
        )
        connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not Shipment.objects.exists()


def test_every_table_with_an_account_or_member_column_has_a_place():
    owned = {table for table in schema_tables() if table_columns(table) & set(OWNER_COLUMNS)}
    assert sorted(table for table in owned if placement(table) is None) == []


def test_the_lists_name_tables_that_exist_each_in_one_place():
    lists = [
        set(MEMBER_OWNED),
        set(OWN_KEY_TABLES),
        CONTRACT_TABLES,
        REFERENCE_TABLES,
        LOCAL_TABLES,
    ]
    named = [table for tables in lists for table in tables]
    assert len(named) == len(set(named))
    assert sorted(set(named) - schema_tables()) == []


def test_each_global_key_is_a_unique_key_of_the_schema():
    held = {(table, key.columns) for table, _ in GLOBAL_KEYS for key in unique_keys(table)}
    assert sorted(set(GLOBAL_KEYS) - held) == []


def test_a_new_unique_key_without_the_account_key_is_caught():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNIQUE INDEX storage_file_uploaded ON storage_storedfile (uploaded_at)"
        )
    assert keys_without_account_key("storage_storedfile") == [
        "storage_file_uploaded ('uploaded_at',)"
    ]
