"""`Entry.award_on` is the date an entry takes effect, whatever its kind: named `effective_on`."""

from django.db import migrations, models

OLD_INDEX, NEW_INDEX = "ledger_entr_account_31e18c_idx", "entry_account_effective_on"


def _rename_index(apps, schema_editor, old=OLD_INDEX, new=NEW_INDEX):
    """PostgreSQL renames the index in place, not rebuilding it over the journal; SQLite,
    which cannot rename an index, builds it again."""
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(f'ALTER INDEX "{old}" RENAME TO "{new}"')
        else:
            cursor.execute(f'DROP INDEX "{old}"')
            cursor.execute(f'CREATE INDEX "{new}" ON ledger_entry (account_id, effective_on)')


def _rename_index_back(apps, schema_editor):
    _rename_index(apps, schema_editor, old=NEW_INDEX, new=OLD_INDEX)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_fewer_indexes")]

    operations = [
        migrations.RenameField("entry", "award_on", "effective_on"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex("entry", OLD_INDEX),
                migrations.AddIndex(
                    "entry", models.Index(fields=["account", "effective_on"], name=NEW_INDEX)
                ),
            ],
            database_operations=[migrations.RunPython(_rename_index, _rename_index_back)],
        ),
    ]
