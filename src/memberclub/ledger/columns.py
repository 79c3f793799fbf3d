"""The columns a writer of each ledger table fills, in order: derived once from the models.

Every writer of journal rows in SQL (the jobs' INSERT … SELECT, the multi-lot debit, the
`rewards_redeem` function, checked by a test) uses these lists, so a field added to a model
reaches every writer or makes its test fail.
"""

from django.db.models import Model, Value

from memberclub.ledger.models import Draw, Entry, Lot


def written_columns(model: type[Model]) -> tuple[str, ...]:
    """The model's concrete columns in model order, but the id and those the database's clock
    fills (a db_default such as Now(); a constant db_default is written like any value)."""
    return tuple(
        field.column
        for field in model._meta.concrete_fields
        if not field.primary_key and not _clock(field.db_default)
    )


def _clock(db_default: object) -> bool:
    """True for a database default computed by the database (an expression, not a value)."""
    return hasattr(db_default, "resolve_expression") and not isinstance(db_default, Value)


ENTRY_COLUMNS = written_columns(Entry)
LOT_COLUMNS = written_columns(Lot)
DRAW_COLUMNS = written_columns(Draw)
# The key table's columns, every one of them also an entry's column of the same name.
KEY_COLUMNS = ("program", "idempotency_key", "account_id", "effective_on")


def column_list(columns: tuple[str, ...]) -> str:
    """The columns for an INSERT's column list: `a, b, c`."""
    return ", ".join(columns)
