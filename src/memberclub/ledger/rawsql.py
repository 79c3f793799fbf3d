"""Fixed SQL for the hot paths (a redemption, the member API), rows still as model instances.

The ORM compiles every query anew, about 0.2 ms of CPU apiece, which is most of what a
redemption or an API read costs. Those paths run a handful of statements written once here,
and build the same instances the ORM would: `Table.build` applies the database's converters,
so SQLite's dates come back as dates, and `Table.prep` adapts values as `save()` does.
"""

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import Field, Model
from django.db.models.expressions import Col

M = TypeVar("M", bound=Model)
# A converter of the database: the column's index, the function and the column it reads.
Converting = tuple[int, Callable[[Any, Any, Any], Any], Col]
# Field types whose str (or int) values go to the database as they are.
TEXT_TYPES = {"CharField", "TextField", "EmailField"}
INT_TYPES = {"IntegerField", "PositiveIntegerField", "BigIntegerField", "AutoField", "BigAutoField"}
INT_TYPES |= {"ForeignKey", "OneToOneField"}


def database() -> BaseDatabaseWrapper:
    """This thread's default connection (`django.db.connection` looks it up on every use)."""
    return connections[DEFAULT_DB_ALIAS]


def fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run one statement that returns rows (a SELECT, or a write with RETURNING); its rows."""
    with _cursor(database()) as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


def _cursor(db: BaseDatabaseWrapper) -> CursorWrapper:
    """Django's cursor; on PostgreSQL one that binds parameters on the server, so that a
    statement run again on the connection is prepared once (OPTIONS prepare_threshold) instead
    of planned every time, which is most of a short statement's cost."""
    if db.vendor != "postgresql" or db.queries_logged:
        # Logged queries (DEBUG, tests that count them) show their SQL with the values in.
        return db.cursor()
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        cursor = psycopg.Cursor(db.connection)
    return CursorWrapper(cursor, db)


def for_update() -> str:
    """` FOR UPDATE` where the database locks rows (SQLite's writers hold the whole file)."""
    return " FOR UPDATE" if database().features.has_select_for_update else ""


def cache_related(instance: Model, name: str, related: Model) -> None:
    """Remember `related` as `instance.<name>` (a foreign key or a reverse one-to-one), as
    select_related would, so reading it runs no query."""
    instance._meta.get_field(name).set_cached_value(instance, related)  # type: ignore[union-attr]


class Table(Generic[M]):
    """One model's table: its columns for a SELECT, and selected rows back into instances."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self.name: str = model._meta.db_table
        self.fields: list[Field[Any, Any]] = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]
        self.width = len(self.fields)
        self._index = {field.name: index for index, field in enumerate(self.fields)}
        self._as_is = {
            (field.name, str if field.get_internal_type() in TEXT_TYPES else int)
            for field in self.fields
            if field.get_internal_type() in TEXT_TYPES | INT_TYPES
        }
        self._converters: list[Converting] | None = None

    def columns(self, alias: str) -> str:
        """Every column, qualified by `alias`, in the order `build` expects."""
        return ", ".join(f'{alias}."{field.column}"' for field in self.fields)

    def build(self, row: Sequence[Any], start: int = 0) -> M:
        """The instance whose columns are row[start:start + width]."""
        values = list(row[start : start + self.width])
        converters = self._converters_now()
        if converters:
            db = database()
            for index, convert, column in converters:
                values[index] = convert(values[index], column, db)
        return self.model.from_db(DEFAULT_DB_ALIAS, self.attnames, values)

    def convert(self, name: str, value: Any) -> Any:
        """One selected value of field `name` as the model holds it."""
        index = self._index[name]
        for at, convert, column in self._converters_now():
            if at == index:
                value = convert(value, column, database())
        return value

    def prep(self, name: str, value: Any) -> Any:
        """A value of field `name` as the database takes it (what save() would send)."""
        if value is None or (name, type(value)) in self._as_is:
            return value
        return self.fields[self._index[name]].get_db_prep_save(value, database())

    def _converters_now(self) -> list[Converting]:
        """The default database's converters (none on PostgreSQL for these tables), worked
        out on first use: a process keeps its database."""
        if self._converters is None:
            db = database()
            self._converters = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.name)
                for convert in [*db.ops.get_db_converters(column), *column.get_db_converters(db)]:
                    self._converters.append((index, convert, column))
        return self._converters
