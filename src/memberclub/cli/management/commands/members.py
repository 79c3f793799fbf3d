"""`memberclub members import FILE`: migrate members from a legacy system."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from memberclub.cli.base import JsonCommand
from memberclub.cli.reports import file_progress, import_summary
from memberclub.members.importer import members_import


class Command(JsonCommand):
    """Import members."""

    help = "Import members (CSV), upserting by customer ID."

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: `import FILE [--encoding E]`."""
        verbs = parser.add_subparsers(dest="verb", required=True)
        feed = verbs.add_parser("import", help="import a members CSV file")
        feed.add_argument("file", type=Path)
        feed.add_argument("--encoding", default="utf-8", help="utf-8 (default) or cp932")

    def perform(self, **options: Any) -> dict[str, Any]:
        """Import the file, with a progress bar on a terminal."""
        with file_progress("importing members") as progress:
            report = members_import(
                path=options["file"], encoding=options["encoding"], progress=progress
            )
        return report.as_dict()

    def summarise(self, result: dict[str, Any]) -> str:
        """Counts, then each rejected row."""
        return import_summary(result)
