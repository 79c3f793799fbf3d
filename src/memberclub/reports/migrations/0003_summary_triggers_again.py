"""SQLite: the journal summary's triggers again, after ledger 0007 rebuilt the journal's tables
(a rebuild drops a table's triggers). PostgreSQL's were made again by that migration itself."""

from django.db import migrations

from memberclub.dbsql import sql_text

REVERSE = ["DROP TRIGGER IF EXISTS reports_entry_summary", "DROP TRIGGER IF EXISTS reports_draw_summary"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    sql = sql_text("reports", "0002_summary", vendor="sqlite") or ""
    with schema_editor.connection.cursor() as cursor:
        for statement in REVERSE:
            cursor.execute(statement)
        # Only the triggers: the file's unique indexes were not dropped.
        for statement in sql.split("\n-- next\n"):
            if "CREATE TRIGGER" in statement:
                cursor.execute(statement)


def backward(apps, schema_editor):
    """Nothing: the triggers stay, as they were before ledger 0007."""


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_summary_triggers"), ("ledger", "0007_entry_keys_partitioned_journal")]
    operations = [migrations.RunPython(forward, backward)]
