"""Idempotency keys in a table of their own (`ledger_entrykey`), claimed by every writer before
its entry; draws carry their entry's date; on PostgreSQL the journal is partitioned by fiscal
year with the account in every key (ledger/sql/0007_partitioned_journal.pg.sql).

SQLite keeps one table each, rebuilt by Django to drop the entry's unique key; the rebuild
loses a table's triggers, so the append-only ones are made again here (they had been lost to
0003's rebuild) and the reports' summary triggers by reports 0003.
"""

import django.db.models.deletion
from django.db import migrations, models

from memberclub.dbsql import OnVendor, sql_files

KEYS_BACKFILL = """
    INSERT INTO ledger_entrykey (program, idempotency_key, account_id, effective_on)
    SELECT program, idempotency_key, account_id, effective_on FROM ledger_entry
"""
SQLITE_DRAW_DATES = """
    UPDATE ledger_draw SET effective_on =
        (SELECT e.effective_on FROM ledger_entry e WHERE e.id = ledger_draw.entry_id)
"""
SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER IF NOT EXISTS ledger_entry_append_only BEFORE UPDATE ON ledger_entry
       BEGIN SELECT RAISE(ABORT, 'the ledger journal is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_draw_append_only BEFORE UPDATE ON ledger_draw
       BEGIN SELECT RAISE(ABORT, 'the ledger journal is append-only'); END""",
]


def keys_backfill(apps, schema_editor):
    schema_editor.execute(KEYS_BACKFILL)


def sqlite_draw_dates(apps, schema_editor):
    schema_editor.execute(SQLITE_DRAW_DATES)


def sqlite_append_only(apps, schema_editor):
    for statement in SQLITE_APPEND_ONLY:
        schema_editor.execute(statement)


def sqlite_append_only_undone(apps, schema_editor):
    schema_editor.execute("DROP TRIGGER IF EXISTS ledger_entry_append_only")
    schema_editor.execute("DROP TRIGGER IF EXISTS ledger_draw_append_only")


DRAW_ENTRY = models.ForeignKey(
    db_constraint=False,
    db_index=False,
    on_delete=django.db.models.deletion.PROTECT,
    related_name="draws",
    to="ledger.entry",
)
DRAW_LOT = models.ForeignKey(
    db_constraint=False,
    on_delete=django.db.models.deletion.PROTECT,
    related_name="draws",
    to="ledger.lot",
)
DRAW_KEY = models.UniqueConstraint(
    fields=("account", "entry", "lot", "effective_on"), name="draw_account_entry_lot"
)


def _model_changes(with_default: bool) -> list:
    """The model changes, with the draw's date defaulted while SQLite fills it from the entry."""
    date = (
        models.DateField(default="1970-01-01") if with_default else models.DateField()
    )
    return [
        migrations.AlterField(model_name="draw", name="entry", field=DRAW_ENTRY),
        migrations.AlterField(model_name="draw", name="lot", field=DRAW_LOT),
        migrations.AddField(
            model_name="draw", name="effective_on", field=date, preserve_default=False
        ),
        migrations.RemoveConstraint(model_name="entry", name="entry_idempotency_key"),
        migrations.RemoveConstraint(model_name="draw", name="draw_entry_lot"),
        migrations.AddConstraint(model_name="draw", constraint=DRAW_KEY),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_journal_account_keys_unchecked"),
        ("rewards", "0008_journal_keys_unchecked"),
    ]

    operations = [
        migrations.CreateModel(
            name="EntryKey",
            fields=[
                ("pk", models.CompositePrimaryKey("program", "idempotency_key", blank=True, editable=False, primary_key=True, serialize=False)),
                ("program", models.CharField(max_length=32)),
                ("idempotency_key", models.CharField(max_length=200)),
                ("effective_on", models.DateField()),
                (
                    "account",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ledger.account",
                    ),
                ),
            ],
        ),
        migrations.RunPython(keys_backfill, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            state_operations=_model_changes(with_default=False),
            database_operations=[
                OnVendor(
                    "sqlite",
                    [
                        *_model_changes(with_default=True)[:3],
                        migrations.RunPython(sqlite_draw_dates, migrations.RunPython.noop),
                        *_model_changes(with_default=True)[3:],
                        migrations.RunPython(sqlite_append_only, sqlite_append_only_undone),
                    ],
                ),
                sql_files("ledger", "0007_partitioned_journal"),
            ],
        ),
    ]
