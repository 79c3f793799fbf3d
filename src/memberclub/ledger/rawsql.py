"""Fixed SQL for the hot paths (a redemption, the member API), rows still as model instances.

The ORM compiles every query anew, about 0.2 ms of CPU apiece, which is most of what a
redemption or an API read costs. Those paths run a handful of statements written once here,
and build the same instances the ORM would: `Table.build` applies the database's converters,
so SQLite's dates come back as dates, and `Table.prep` adapts values as `save()` does.
"""

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import connection
from django.db.models import Field, Model
from django.db.models.expressions import Col

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, Any], Any]


def fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run one statement and return its rows."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def for_update() -> str:
    """` FOR UPDATE` where the database locks rows (SQLite's writers hold the whole file)."""
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


class Table(Generic[M]):
    """One model's table: its columns for a SELECT, and selected rows back into instances."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self.name: str = model._meta.db_table
        self.fields: list[Field[Any, Any]] = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]
        self.width = len(self.fields)
        self._index = {field.name: index for index, field in enumerate(self.fields)}
        self._converters: dict[str, list[tuple[int, list[Converter], Col]]] = {}

    def columns(self, alias: str) -> str:
        """Every column, qualified by `alias`, in the order `build` expects."""
        return ", ".join(f'{alias}."{field.column}"' for field in self.fields)

    def build(self, row: Sequence[Any], start: int = 0) -> M:
        """The instance whose columns are row[start:start + width]."""
        values = list(row[start : start + self.width])
        for index, converters, column in self._converters_now():
            for convert in converters:
                values[index] = convert(values[index], column, connection)
        return self.model.from_db(connection.alias, self.attnames, values)

    def convert(self, name: str, value: Any) -> Any:
        """One selected value of field `name` as the model holds it."""
        index = self._index[name]
        for at, converters, column in self._converters_now():
            if at == index:
                for convert in converters:
                    value = convert(value, column, connection)
        return value

    def prep(self, name: str, value: Any) -> Any:
        """A value of field `name` as the database takes it (what save() would send)."""
        return self.fields[self._index[name]].get_db_prep_save(value, connection)

    def _converters_now(self) -> list[tuple[int, list[Converter], Col]]:
        """The converters of this connection's database, worked out once per vendor."""
        known = self._converters.get(connection.vendor)
        if known is None:
            known = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.name)
                converters = [
                    *connection.ops.get_db_converters(column),
                    *column.get_db_converters(connection),
                ]
                if converters:
                    known.append((index, converters, column))
            self._converters[connection.vendor] = known
        return known
