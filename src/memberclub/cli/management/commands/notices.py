"""`memberclub notices --program P --month YYYY-MM`: queue the month's club notices (SPEC §8)."""

from typing import Any

from django.core.management.base import CommandParser

from memberclub.cli.base import JsonCommand, month_argument
from memberclub.cli.batch import (
    BATCH_SYSTEM_CHECKS,
    add_split_arguments,
    chunks_summary,
    progress_bar,
    split_options,
)
from memberclub.jobs.notices import NoticesResult, notices_run


class Command(JsonCommand):
    """Queue one program's notices of one month."""

    requires_system_checks = BATCH_SYSTEM_CHECKS

    help = (
        "Queue the monthly balance notice (members who opted in) and, in the program's warning "
        "month, the expiry warning; once per member, kind and month: a rerun queues nothing."
    )
    outcome: NoticesResult | None = None

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: --program P --month YYYY-MM, and how to split the run."""
        parser.add_argument("--program", required=True)
        parser.add_argument("--month", type=month_argument, required=True, help="YYYY-MM")
        add_split_arguments(parser)

    def perform(self, **options: Any) -> dict[str, Any]:
        """Queue the notices."""
        title = f"notices {options['program']} {options['month']:%Y-%m}"
        with progress_bar(self.stdout, title) as progress:
            self.outcome = notices_run(
                program=options["program"],
                month=options["month"],
                progress=progress,
                **split_options(options),
            )
        return self.outcome.as_dict()

    def summarise(self, result: dict[str, Any]) -> str:
        """One line: notices queued by kind, and how many chunks were done."""
        kinds = ", ".join(f"{kind} {count:,}" for kind, count in result["by_kind"].items())
        chunks = chunks_summary(self.outcome.run) if self.outcome else ""
        note = f" - {result['note']}" if result.get("note") else ""
        return (
            f"notices {result['program']} {result['month']}: {result['queued']:,} queued "
            f"({kinds}); {chunks}{note}"
        )
