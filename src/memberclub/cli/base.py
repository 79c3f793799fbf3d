"""Shared behaviour of memberclub commands: --json, exit statuses 0/2/1 and argument types."""

import argparse
import datetime as dt
import json
import sys
import traceback
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from memberclub.domain.calendar import parse_month
from memberclub.domain.errors import Refused
from memberclub.outage import UNAVAILABLE, outage_summary

EXIT_REFUSED = 2
EXIT_FAILED = 1


def date_argument(text: str) -> dt.date:
    """Parse a YYYY-MM-DD command-line date."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def month_argument(text: str) -> dt.date:
    """Parse a YYYY-MM command-line month into its first day."""
    try:
        return parse_month(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def today() -> dt.date:
    """The operator's local date, read here at the way in and passed down explicitly."""
    return timezone.localdate()


class JsonCommand(BaseCommand):
    """A command whose result is a dict: a human summary, and with --json one JSON line last."""

    json_output = False
    # Set by a command whose result is a failure to report (the audit finding violations).
    exit_status = 0

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        """Let bad arguments raise, so they can be reported as JSON with exit status 2."""
        self._called_from_command_line = False
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument("--json", action="store_true", help="print one JSON object last")
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for verb in action.choices.values():
                    # SUPPRESS keeps a verb from resetting a --json given before it.
                    verb.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
        return parser

    def run_from_argv(self, argv: list[str]) -> None:
        """Run the command and map refusals and failures to exit statuses 2 and 1."""
        self.json_output = "--json" in argv
        try:
            super().run_from_argv(argv)
        except (Refused, CommandError) as error:
            self._fail(str(error), EXIT_REFUSED)
        except UNAVAILABLE as error:
            self._fail(f"database unavailable: {outage_summary(error)}", EXIT_FAILED)
        except Exception as error:
            traceback.print_exc(file=sys.stderr)
            self._fail(f"unexpected failure: {error}", EXIT_FAILED)

    def _fail(self, message: str, status: int) -> None:
        self.stderr.write(f"memberclub: {message}")
        if self.json_output:
            self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
        sys.exit(status)

    def handle(self, *args: Any, **options: Any) -> None:
        """Run `perform` and print its result."""
        result = self.perform(**options)
        summary = self.summarise(result)
        if summary:
            self.stdout.write(summary)
        if options.get("json"):
            self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
        if self.exit_status:
            sys.exit(self.exit_status)

    def perform(self, **options: Any) -> dict[str, Any]:
        """Do the command's work and return its JSON result."""
        raise NotImplementedError

    def summarise(self, result: dict[str, Any]) -> str:
        """A one-line human summary of the result."""
        return " ".join(f"{key}={value}" for key, value in result.items() if key != "rejected")
