"""Lots, entries and draws name their account, and a reversal its entry, without a foreign
key in the database (PostgreSQL).

Checking a foreign key locks the referenced row (FOR KEY SHARE) for every row written, which
dirties every account page a monthly run touches; the reversal's is called for every entry,
though batch entries reverse none. Every writer reads or locks the account first, accounts and
entries are never deleted, and `memberclub audit` checks all four (docs/decisions.md, the
journal's shape). SQLite keeps its constraints: rebuilding its journal tables to drop them
would gain nothing there.
"""

import django.db.models.deletion
from django.db import migrations, models

# (table, column, referenced table)
CONSTRAINTS = (
    ("ledger_lot", "account_id", "ledger_account"),
    ("ledger_entry", "account_id", "ledger_account"),
    ("ledger_draw", "account_id", "ledger_account"),
    ("ledger_entry", "reverses_id", "ledger_entry"),
)


def _foreign_keys(cursor, table, column, referenced):
    cursor.execute(
        """
        SELECT c.conname FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND a.attname = %s
          AND c.confrelid = %s::regclass
        """,
        [table, column, referenced],
    )
    return [name for (name,) in cursor.fetchall()]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, column, referenced in CONSTRAINTS:
            for name in _foreign_keys(cursor, table, column, referenced):
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, column, referenced in CONSTRAINTS:
            cursor.execute(
                f'ALTER TABLE {table} ADD CONSTRAINT "{table}_{column}_fk_{referenced}_id" '
                f"FOREIGN KEY ({column}) REFERENCES {referenced} (id) "
                "DEFERRABLE INITIALLY DEFERRED"
            )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_entry_date_brin")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="lot",
                    name="account",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lots",
                        to="ledger.account",
                    ),
                ),
                migrations.AlterField(
                    model_name="entry",
                    name="reverses",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reversals",
                        to="ledger.entry",
                    ),
                ),
                migrations.AlterField(
                    model_name="entry",
                    name="account",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="ledger.account",
                    ),
                ),
                migrations.AlterField(
                    model_name="draw",
                    name="account",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ledger.account",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        )
    ]
