"""`memberclub usage import FILE [--encoding cp932]`: upsert the usage feed of the west program."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from memberclub.cli.base import JsonCommand
from memberclub.cli.reports import import_summary
from memberclub.usage.importer import usage_import


class Command(JsonCommand):
    """Import the usage feed."""

    help = "Import the usage feed (CSV), upserting by customer ID and billing month."

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: `import FILE [--encoding E]`."""
        verbs = parser.add_subparsers(dest="verb", required=True)
        feed = verbs.add_parser("import", help="import a usage CSV file")
        feed.add_argument("file", type=Path)
        feed.add_argument("--encoding", default="utf-8", help="utf-8 (default) or cp932")

    def perform(self, **options: Any) -> dict[str, Any]:
        """Import the file."""
        return usage_import(path=options["file"], encoding=options["encoding"]).as_dict()

    def summarise(self, result: dict[str, Any]) -> str:
        """Counts, then each rejected row."""
        return import_summary(result)
