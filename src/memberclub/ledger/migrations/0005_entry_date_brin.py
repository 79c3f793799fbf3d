"""A BRIN index on the entries' effective date (PostgreSQL): balances as of a past day read
only the entries after it.

The journal is appended roughly in date order, so a block-range index is a few pages, costs
next to nothing per insert (unlike a B-tree on every grant of every monthly run) and lets the
points export as of a month-end skip all blocks of entries dated before it. SQLite, the small
clubs' database, gets none.
"""

from django.db import migrations

FORWARD = "CREATE INDEX ledger_entry_effective_on_brin ON ledger_entry USING brin (effective_on)"
BACKWARD = "DROP INDEX ledger_entry_effective_on_brin"


def _run(schema_editor, statement):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(statement)


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_entry_effective_on")]
    operations = [migrations.RunPython(forward, backward)]
