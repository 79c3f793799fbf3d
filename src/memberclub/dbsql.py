"""Server-side SQL (functions, triggers) kept in .sql files beside its app, run by migrations.

An app keeps each piece of server-side SQL in `<app>/sql/<name>.<vendor>.sql`, with its undoing
in `<name>.reverse.<vendor>.sql` (vendor `pg` for PostgreSQL, `sqlite` for SQLite); SQL that
both databases run alike is one `<name>.sql` with `<name>.reverse.sql`. A migration runs them
with one operation, on the databases that have a file and nowhere else:

    from memberclub.dbsql import sql_files

    class Migration(migrations.Migration):
        dependencies = [...]
        operations = [sql_files("rewards", "0004_redeem", restores="0003_redeem")]

`restores` names the earlier file that re-creates what the reverse file dropped (a function
replaced by a new version), so its text is not copied into the reverse. A file is run as it
is, without parameters, so `%` needs no escaping; SQLite runs one statement per call, so a
file of several separates them with a line `-- next`. Once a migration that loads a file is
released, the file is never edited: a change is a new file and a new migration.
"""

from pathlib import Path

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import ProjectState, StateApps

ROOT = Path(__file__).parent
# The vendor part of a file name, by Django's `connection.vendor`.
VENDORS = {"postgresql": "pg", "sqlite": "sqlite"}
STATEMENT_BREAK = "\n-- next\n"


def sql_path(app: str, name: str, *, vendor: str, reverse: bool = False) -> Path:
    """The file of `name` in the app's sql/ folder for a database vendor (Django's name): its
    own file, else the file both vendors share."""
    stem = ROOT / app / "sql" / f"{name}{'.reverse' if reverse else ''}"
    own = stem.with_name(f"{stem.name}.{VENDORS[vendor]}.sql")
    return own if own.exists() else stem.with_name(f"{stem.name}.sql")


def sql_text(app: str, name: str, *, vendor: str, reverse: bool = False) -> str | None:
    """The SQL of `name` for a vendor, or None when the app has no file for it."""
    path = sql_path(app, name, vendor=vendor, reverse=reverse)
    return path.read_text(encoding="utf-8") if path.exists() else None


def sql_files(app: str, name: str, *, restores: str | None = None) -> migrations.RunPython:
    """A migration operation running `<app>/sql/<name>.<vendor>.sql` forwards and its
    `.reverse.` twin backwards, then the forward file `restores` if given; a vendor without
    the file is skipped."""
    missing = [
        path
        for vendor in VENDORS
        if sql_path(app, name, vendor=vendor).exists()
        for path in [sql_path(app, name, vendor=vendor, reverse=True)]
        if not path.exists()
    ]
    if missing:
        raise FileNotFoundError(f"every forward SQL file needs its reverse: {missing[0].name}")

    def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        _run(app, name, schema_editor, reverse=False)

    def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        _run(app, name, schema_editor, reverse=True)
        if restores is not None:
            _run(app, restores, schema_editor, reverse=False)

    return migrations.RunPython(forward, backward)


def _run(app: str, name: str, schema_editor: BaseDatabaseSchemaEditor, *, reverse: bool) -> None:
    sql = sql_text(app, name, vendor=schema_editor.connection.vendor, reverse=reverse)
    if sql is None:
        return
    # A plain cursor without parameters, so that the '%' of RAISE is not taken for one.
    with schema_editor.connection.cursor() as cursor:
        for statement in sql.split(STATEMENT_BREAK):
            if statement.strip():
                cursor.execute(statement)


class OnVendor(migrations.SeparateDatabaseAndState):
    """Operations that change the database only on one vendor (Django's `connection.vendor`);
    the migration states the model changes once, for every vendor, beside it."""

    def __init__(self, vendor: str, operations: list[migrations.operations.base.Operation]):
        super().__init__(database_operations=operations, state_operations=[])
        self.vendor = vendor

    def deconstruct(self) -> tuple[str, list[object], dict[str, object]]:
        """How the operation is written in a migration file."""
        return (self.__class__.__qualname__, [self.vendor, self.database_operations], {})

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        """Apply the operations on this vendor only."""
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        """Undo the operations on this vendor only."""
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)
