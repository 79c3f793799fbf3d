"""`memberclub ledger partitions [--ahead N] [--as-of D]`: the journal's coming years made ahead."""

from typing import Any

from django.core.management.base import CommandParser

from memberclub.cli.base import JsonCommand, date_argument, today
from memberclub.domain.errors import Refused
from memberclub.ledger.partitions import partitions_ensure


class Command(JsonCommand):
    """Make the fiscal-year partitions of the journal ahead of the writes that need them."""

    help = (
        "partitions: make the journal's partitions of the current fiscal year and the next "
        "N (--ahead, default 2) on PostgreSQL; idempotent. SQLite's journal has none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: `partitions [--ahead N] [--as-of D]`."""
        verbs = parser.add_subparsers(dest="verb", required=True)
        partitions = verbs.add_parser("partitions", help="make the coming years' partitions")
        partitions.add_argument(
            "--ahead", type=int, default=2, help="years after the current one (default 2)"
        )
        partitions.add_argument(
            "--as-of", type=date_argument, default=None, help="YYYY-MM-DD (default today)"
        )

    def perform(self, **options: Any) -> dict[str, Any]:
        """Make what is missing; report what was made and what was there."""
        if not 0 <= options["ahead"] <= 20:
            raise Refused("--ahead must be between 0 and 20")
        made = partitions_ensure(through=options["as_of"] or today(), ahead=options["ahead"])
        return {"made": made.made, "existing": made.existing}

    def summarise(self, result: dict[str, Any]) -> str:
        """What was made, and how many were there already."""
        made = ", ".join(result["made"]) or "none"
        return f"ledger partitions: made {made}; {len(result['existing'])} already there"
