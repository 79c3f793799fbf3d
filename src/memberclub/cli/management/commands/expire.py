"""`memberclub expire --program P --as-of YYYY-MM-DD`: expire lots past their last usable day."""

from typing import Any

from django.core.management.base import CommandParser

from memberclub.cli.base import JsonCommand, date_argument
from memberclub.cli.batch import (
    BATCH_SYSTEM_CHECKS,
    add_split_arguments,
    chunks_summary,
    progress_bar,
    split_options,
)
from memberclub.jobs.expiry import ExpiryResult, expiry_run


class Command(JsonCommand):
    """Run the expiry job of one program."""

    requires_system_checks = BATCH_SYSTEM_CHECKS

    help = (
        "Write an EXPIRE entry for every lot whose expiry date is before the as-of date and "
        "that still has points; running it again changes nothing."
    )
    outcome: ExpiryResult | None = None

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: --program P --as-of YYYY-MM-DD, and how to split the run."""
        parser.add_argument("--program", required=True)
        parser.add_argument("--as-of", type=date_argument, required=True, help="YYYY-MM-DD")
        add_split_arguments(parser)

    def perform(self, **options: Any) -> dict[str, Any]:
        """Run the expiry."""
        title = f"expire {options['program']} {options['as_of']}"
        with progress_bar(self.stdout, title) as progress:
            self.outcome = expiry_run(
                program=options["program"],
                as_of=options["as_of"],
                progress=progress,
                **split_options(options),
            )
        return self.outcome.as_dict()

    def summarise(self, result: dict[str, Any]) -> str:
        """One line: lots and points expired, and how many chunks were done."""
        chunks = chunks_summary(self.outcome.run) if self.outcome else ""
        return f"expired {result['lots']:,} lots, {result['points']:,} points; {chunks}"
