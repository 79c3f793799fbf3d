"""`memberclub codes load ITEM FILE`: add a pool of digital codes (one per line) to an item."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from memberclub.cli.base import JsonCommand
from memberclub.domain.errors import Refused
from memberclub.rewards.services import codes_load


class Command(JsonCommand):
    """Load digital codes."""

    help = "Load digital codes for an item, one per line; each code is handed out once."

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: `load ITEM FILE`."""
        verbs = parser.add_subparsers(dest="verb", required=True)
        load = verbs.add_parser("load", help="load a file of codes")
        load.add_argument("item")
        load.add_argument("file", type=Path)

    def perform(self, **options: Any) -> dict[str, Any]:
        """Load the codes."""
        path: Path = options["file"]
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise Refused(f"{path}: cannot read: {error}") from None
        loaded = codes_load(item_code=options["item"], codes=lines)
        return {
            "item": loaded.item,
            "added": loaded.added,
            "already_loaded": loaded.already_loaded,
            "stock": loaded.stock,
        }

    def summarise(self, result: dict[str, Any]) -> str:
        """Counts and the new stock."""
        return (
            f"{result['item']}: {result['added']} codes added, {result['already_loaded']} "
            f"already loaded; {result['stock']} available"
        )
