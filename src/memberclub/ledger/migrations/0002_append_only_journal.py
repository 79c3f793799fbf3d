"""Make the journal append-only in the database itself: entries and draws are never changed."""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ledger journal is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END $$;
CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_draw_append_only BEFORE UPDATE OR DELETE ON ledger_draw
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER ledger_draw_append_only ON ledger_draw;
DROP TRIGGER ledger_entry_append_only ON ledger_entry;
DROP FUNCTION ledger_refuse_change();
"""
# SQLite refuses updates; deletes stay possible there because Django's test flush uses DELETE.
SQLITE_FORWARD = [
    """CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE ON ledger_entry
       BEGIN SELECT RAISE(ABORT, 'the ledger journal is append-only'); END""",
    """CREATE TRIGGER ledger_draw_append_only BEFORE UPDATE ON ledger_draw
       BEGIN SELECT RAISE(ABORT, 'the ledger journal is append-only'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER ledger_entry_append_only",
    "DROP TRIGGER ledger_draw_append_only",
]


def _run(schema_editor, postgres, sqlite):
    # A plain cursor, so that the '%' of RAISE is not taken for a parameter.
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(postgres)
        elif schema_editor.connection.vendor == "sqlite":
            for statement in sqlite:
                cursor.execute(statement)


def forward(apps, schema_editor):
    _run(schema_editor, POSTGRES_FORWARD, SQLITE_FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, POSTGRES_BACKWARD, SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
