"""Running the app's .sql files from a migration, the file chosen by database vendor."""

from pathlib import Path
from typing import Any

SQL_DIR = Path(__file__).resolve().parent / "sql"
# SQLite runs one statement per call: its files separate them with this line.
STATEMENT_BREAK = "-- next"


def sql_file_run(schema_editor: Any, name: str, *, per_vendor: bool = True) -> None:
    """Run sql/NAME.VENDOR.sql (or sql/NAME.sql) on the migration's connection."""
    vendor = schema_editor.connection.vendor
    path = SQL_DIR / (f"{name}.{vendor}.sql" if per_vendor else f"{name}.sql")
    text = path.read_text(encoding="utf-8")
    # A plain cursor without parameters, so that no '%' in the SQL is taken for one.
    with schema_editor.connection.cursor() as cursor:
        for statement in text.split(STATEMENT_BREAK):
            if statement.strip():
                cursor.execute(statement)
