"""`memberclub catalog load FILE…`: validate catalog files and upsert their items."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from memberclub.cli.base import JsonCommand
from memberclub.rewards.catalog import catalogs_load_files


class Command(JsonCommand):
    """Load exchange catalogs."""

    help = "Validate catalog files (programs/*-catalog.toml) and upsert their items by code."

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: `load FILE…`."""
        verbs = parser.add_subparsers(dest="verb", required=True)
        load = verbs.add_parser("load", help="load catalog files")
        load.add_argument("files", nargs="+", type=Path)

    def perform(self, **options: Any) -> dict[str, Any]:
        """Load the files."""
        loaded = catalogs_load_files(paths=options["files"])
        return {
            "loaded": [
                {
                    "program": c.program,
                    "created": c.created,
                    "updated": c.updated,
                    "unchanged": c.unchanged,
                }
                for c in loaded
            ]
        }

    def summarise(self, result: dict[str, Any]) -> str:
        """One line per catalog."""
        return "\n".join(
            f"{c['program']} catalog: {c['created']} new, {c['updated']} updated, "
            f"{c['unchanged']} unchanged"
            for c in result["loaded"]
        )
