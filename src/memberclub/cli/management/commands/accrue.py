"""`memberclub accrue --program P --month YYYY-MM`: the monthly accrual (SPEC §3.2, §3.3)."""

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
from memberclub.jobs.accrual import AccrualResult, accrual_run


class Command(JsonCommand):
    """Run the accrual of one program for one month."""

    requires_system_checks = BATCH_SYSTEM_CHECKS

    help = (
        "Grant a program's points for a month (award date its first day), once: a rerun or a "
        "run after a crash grants only what is still missing."
    )
    outcome: AccrualResult | None = None

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: --program P --month YYYY-MM, and how to split the run."""
        parser.add_argument("--program", required=True)
        parser.add_argument("--month", type=month_argument, required=True, help="YYYY-MM")
        add_split_arguments(parser)

    def perform(self, **options: Any) -> dict[str, Any]:
        """Run the accrual."""
        title = f"accrue {options['program']} {options['month']:%Y-%m}"
        with progress_bar(self.stdout, title) as progress:
            self.outcome = accrual_run(
                program=options["program"],
                month=options["month"],
                progress=progress,
                **split_options(options),
            )
        return self.outcome.as_dict()

    def summarise(self, result: dict[str, Any]) -> str:
        """One line: what was granted, by rule, and how many chunks were done."""
        if result.get("skipped"):
            return (
                f"accrue {result['program']} {result['month']}: nothing granted "
                f"(skipped: {result['skipped']})"
            )
        rules = ", ".join(f"{rule} {points:,}" for rule, points in result["by_rule"].items())
        chunks = chunks_summary(self.outcome.run) if self.outcome else ""
        return (
            f"accrue {result['program']} {result['month']}: {result['accounts']:,} accounts, "
            f"{result['points']:,} points ({rules}); {chunks}"
        )
