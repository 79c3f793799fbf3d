"""`memberclub programs load FILE…`: validate and store program files as new versions."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from memberclub.cli.base import JsonCommand
from memberclub.programs.services import programs_load_files


class Command(JsonCommand):
    """Load program definition files."""

    help = "Validate program files and store each as a new version (a bad file stores nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: `load FILE…`."""
        verbs = parser.add_subparsers(dest="verb", required=True)
        load = verbs.add_parser("load", help="load program files")
        load.add_argument("files", nargs="+", type=Path)

    def perform(self, **options: Any) -> dict[str, Any]:
        """Load the files."""
        loaded = programs_load_files(paths=options["files"])
        return {
            "loaded": [
                {"program": v.program, "version": v.version, "effective_on": v.effective_on}
                for v in loaded
            ]
        }

    def summarise(self, result: dict[str, Any]) -> str:
        """One line per program."""
        return "\n".join(
            f"{item['program']}: version {item['version']} in force from {item['effective_on']}"
            for item in result["loaded"]
        )
