"""`memberclub program end …` / `program end --cancel` / `program close`: ending a program."""

from typing import Any

from django.core.management.base import CommandParser

from memberclub.cli.base import JsonCommand, date_argument, month_argument, today
from memberclub.cli.batch import (
    BATCH_SYSTEM_CHECKS,
    add_split_arguments,
    progress_bar,
    split_options,
)
from memberclub.domain.errors import Refused
from memberclub.domain.program_end import EndDates
from memberclub.jobs.program_close import program_close_run
from memberclub.jobs.program_end import program_end_announce, program_end_cancel

DATE_OPTIONS = ("announce_on", "registration_closes_on", "last_accrual_month", "ends_on")


class Command(JsonCommand):
    """Schedule, withdraw or carry out the end of a program (SPEC §3.4)."""

    requires_system_checks = BATCH_SYSTEM_CHECKS

    help = "End a program: `end` schedules (or with --cancel withdraws) it, `close` forfeits."

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: `end --program P --announce-on D0 …` or `end --cancel`, `close`."""
        verbs = parser.add_subparsers(dest="verb", required=True)
        end = verbs.add_parser("end", help="schedule the end of a program, or withdraw it")
        end.add_argument("--program", required=True)
        end.add_argument("--announce-on", type=date_argument, metavar="D0")
        end.add_argument("--registration-closes-on", type=date_argument, metavar="D1")
        end.add_argument("--last-accrual-month", type=month_argument, metavar="YYYY-MM")
        end.add_argument("--ends-on", type=date_argument, metavar="D2")
        end.add_argument("--cancel", action="store_true", help="withdraw the scheduled end")
        end.add_argument("--on", type=date_argument, help="today's date (default: today, JST)")
        close = verbs.add_parser("close", help="forfeit every point of an ended program")
        close.add_argument("--program", required=True)
        close.add_argument("--as-of", type=date_argument, help="default: today (JST)")
        add_split_arguments(close)

    def perform(self, **options: Any) -> dict[str, Any]:
        """Do the verb."""
        if options["verb"] == "close":
            with progress_bar(self.stdout, f"program close {options['program']}") as progress:
                outcome = program_close_run(
                    program=options["program"],
                    on=options["as_of"] or today(),
                    progress=progress,
                    **split_options(options),
                )
            return outcome.as_dict()
        on = options["on"] or today()
        if options["cancel"]:
            given = [name for name in DATE_OPTIONS if options[name] is not None]
            if given:
                raise Refused("--cancel takes no dates")
            return program_end_cancel(program=options["program"], on=on).as_dict()
        missing = [name for name in DATE_OPTIONS if options[name] is None]
        if missing:
            flags = ", ".join("--" + name.replace("_", "-") for name in missing)
            raise Refused(f"program end needs {flags} (or --cancel)")
        dates = EndDates(**{name: options[name] for name in DATE_OPTIONS})
        return program_end_announce(
            program=options["program"], dates=dates, by="cli", on=on
        ).as_dict()

    def summarise(self, result: dict[str, Any]) -> str:
        """One line."""
        if "forfeited" in result:
            return (
                f"program close {result['program']}: {result['forfeited']:,} points forfeited "
                f"in {result['accounts']:,} accounts on {result['ends_on']}"
            )
        if "skipped" in result:
            return f"program close {result['program']}: {result['skipped']} ({result['ends_on']})"
        if result.get("canceled_on"):
            return (
                f"program {result['program']}: the end on {result['ends_on']} is withdrawn; "
                f"{result['queued']:,} notices queued"
            )
        return (
            f"program {result['program']} ends on {result['ends_on']} (announced "
            f"{result['announce_on']}, registration closes {result['registration_closes_on']}, "
            f"last accrual month {result['last_accrual_month']}); "
            f"{result['queued']:,} notices queued"
        )
