"""`memberclub letters export DIR`: the queued auth-key letters as one PDF and manifest.csv."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from memberclub.access.letters import letters_export
from memberclub.cli.base import JsonCommand, date_argument, today


class Command(JsonCommand):
    """Export auth-key letters for the print vendor."""

    help = "Write the queued auth-key letters to DIR/letters.pdf and DIR/manifest.csv."

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: `export DIR [--on DATE]`."""
        verbs = parser.add_subparsers(dest="verb", required=True)
        export = verbs.add_parser("export", help="write the queued letters and mark them sent")
        export.add_argument("directory", type=Path)
        export.add_argument(
            "--on", type=date_argument, help="issue date YYYY-MM-DD (default: today)"
        )

    def perform(self, **options: Any) -> dict[str, Any]:
        """Export the batch; with nothing queued, write nothing."""
        batch = letters_export(directory=options["directory"], today=options["on"] or today())
        return {
            "letters": batch.count,
            "pdf": str(batch.pdf) if batch.pdf else None,
            "manifest": str(batch.manifest) if batch.manifest else None,
        }

    def summarise(self, result: dict[str, Any]) -> str:
        """How many letters went where."""
        if not result["letters"]:
            return "no letters queued; nothing written"
        return f"{result['letters']} letters: {result['pdf']}, {result['manifest']}"
