"""Scratch copies of the ledger's tables on PostgreSQL, built from the catalog: bare or full shape.

A bare copy is the physical floor for writing journal rows: the same columns and types, a
bigserial key, the one unique key the write path's ON CONFLICT names, at most one plain index,
no foreign key, CHECK, default or trigger. A shape copy is the ledger table as it is now: LIKE …
INCLUDING ALL (columns, defaults, CHECKs, indexes incl. the BRIN, identity) and its storage
parameters, then its foreign keys and triggers read back from pg_constraint and pg_trigger.
Both read the live schema, so they follow the ledger when its shape changes.
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any


def bare_table(
    connection: Any,
    source: str,
    copy: str,
    *,
    written: Sequence[str],
    unique: Sequence[str],
    index: Sequence[str] = (),
) -> None:
    """Create `copy` with `source`'s columns, a bigserial id, one unique key and one index."""
    connection.execute(f"DROP TABLE IF EXISTS {copy}")
    # LIKE without INCLUDING copies names, types and NOT NULL only.
    connection.execute(f"CREATE TABLE {copy} (LIKE {source})")
    connection.execute(f"ALTER TABLE {copy} DROP COLUMN id")
    connection.execute(f"ALTER TABLE {copy} ADD COLUMN id bigserial PRIMARY KEY")
    # Columns the writers leave to a database default (created_at) stay empty here.
    for column in table_columns(connection, copy):
        if column != "id" and column not in written:
            connection.execute(f"ALTER TABLE {copy} ALTER COLUMN {column} DROP NOT NULL")
    connection.execute(f"CREATE UNIQUE INDEX {copy}_unique ON {copy} ({', '.join(unique)})")
    if index:
        connection.execute(f"CREATE INDEX {copy}_index ON {copy} ({', '.join(index)})")


def shape_copies(connection: Any, tables: Mapping[str, str]) -> None:
    """Create a copy of each ledger table in `tables` (source → copy) with all it carries.

    Foreign keys between the copied tables point at the copies (an entry's `reverses` at the
    copied entries); the rest keep pointing at the real tables (accounts). The triggers run the
    ledger's own functions, so the summary trigger writes into the real summary tables.
    """
    for copy in tables.values():
        connection.execute(f"DROP TABLE IF EXISTS {copy} CASCADE")
    for source, copy in tables.items():
        connection.execute(f"CREATE TABLE {copy} (LIKE {source} INCLUDING ALL)")
        storage_copied(connection, source, copy)
    for source, copy in tables.items():
        for name, definition in foreign_keys(connection, source):
            connection.execute(
                f"ALTER TABLE {copy} ADD CONSTRAINT {copy}_{name} {renamed(definition, tables)}"
            )
        for name, definition in triggers(connection, source):
            statement = re.sub(
                rf"\bON (public\.)?{source}\b",
                f"ON {copy}",
                definition.replace(name, f"{copy}_{name}", 1),
                count=1,
            )
            connection.execute(statement)


def storage_copied(connection: Any, source: str, copy: str) -> None:
    """Give `copy` the storage parameters of `source` (the lots' fillfactor), which LIKE leaves."""
    (options,) = connection.execute(
        "SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [source]
    ).fetchone()
    if options:
        connection.execute(f"ALTER TABLE {copy} SET ({', '.join(options)})")


def table_columns(connection: Any, table: str) -> list[str]:
    """The table's columns in order."""
    rows = connection.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attnum",
        [table],
    ).fetchall()
    return [name for (name,) in rows]


def foreign_keys(connection: Any, table: str) -> list[tuple[str, str]]:
    """The table's foreign keys as (name, definition)."""
    return _constraints(connection, table, "f")


def checks(connection: Any, table: str) -> list[tuple[str, str]]:
    """The table's CHECK constraints as (name, definition)."""
    return _constraints(connection, table, "c")


def _constraints(connection: Any, table: str, kind: str) -> list[tuple[str, str]]:
    rows = connection.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = %s ORDER BY conname",
        [table, kind],
    ).fetchall()
    return [(name, definition) for name, definition in rows]


def triggers(connection: Any, table: str) -> list[tuple[str, str]]:
    """The table's own triggers (not the system's for foreign keys) as (name, CREATE TRIGGER)."""
    rows = connection.execute(
        "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
        "WHERE tgrelid = %s::regclass AND NOT tgisinternal ORDER BY tgname",
        [table],
    ).fetchall()
    return [(name, definition) for name, definition in rows]


def indexes(connection: Any, table: str) -> list[tuple[str, str]]:
    """The table's indexes that back no constraint, as (name, CREATE INDEX)."""
    rows = connection.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
        [table],
    ).fetchall()
    return [(name, definition) for name, definition in rows]


def renamed(sql: str, tables: Mapping[str, str]) -> str:
    """`sql` with every name of a table in `tables` replaced by its copy's."""
    for source, copy in tables.items():
        sql = re.sub(rf"\b(public\.)?{source}\b", copy, sql)
    return sql
