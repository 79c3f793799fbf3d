"""The shape shared by the feed commands: `<noun> import FILE [--encoding cp932]`."""

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from django.core.management.base import CommandParser

from memberclub.cli.base import JsonCommand
from memberclub.cli.reports import file_progress, import_summary
from memberclub.csvio import ImportReport

Importer = Callable[..., ImportReport]


class FeedImportCommand(JsonCommand):
    """Import one CSV feed with its importer, a progress bar on a terminal, and a summary."""

    noun: ClassVar[str]
    importer: ClassVar[Importer]

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: `import FILE [--encoding E]`."""
        verbs = parser.add_subparsers(dest="verb", required=True)
        feed = verbs.add_parser("import", help=f"import a {self.noun} CSV file")
        feed.add_argument("file", type=Path)
        feed.add_argument("--encoding", default="utf-8", help="utf-8 (default) or cp932")

    def perform(self, **options: Any) -> dict[str, Any]:
        """Import the file."""
        with file_progress(f"importing {self.noun}") as progress:
            report = type(self).importer(
                path=options["file"], encoding=options["encoding"], progress=progress
            )
        return report.as_dict()

    def summarise(self, result: dict[str, Any]) -> str:
        """Counts, then each rejected row."""
        return import_summary(result)
