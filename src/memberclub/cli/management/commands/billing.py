"""`memberclub billing export --month YYYY-MM [--out FILE]`: the fee payments of a bill month."""

import csv
import io
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from memberclub.cli.base import JsonCommand, month_argument
from memberclub.domain.errors import Refused
from memberclub.rewards.services import billing_export

COLUMNS = ["customer_id", "bill_month", "yen", "redemption_number"]


class Command(JsonCommand):
    """Export bill credits."""

    help = "Write the fee payments credited on a month's bill as CSV (the same file every run)."

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: `export --month YYYY-MM [--out FILE]`."""
        verbs = parser.add_subparsers(dest="verb", required=True)
        export = verbs.add_parser("export", help="export one bill month")
        export.add_argument("--month", type=month_argument, required=True, help="YYYY-MM")
        export.add_argument("--out", type=Path, help="file to write (default: standard output)")

    def perform(self, **options: Any) -> dict[str, Any]:
        """Write the CSV."""
        credits = billing_export(bill_month=options["month"])
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([c.customer_id, c.bill_month, c.yen, c.redemption_number] for c in credits)
        out: Path | None = options["out"]
        if out is None:
            # With --json the CSV would break the one-object contract; it needs --out.
            if options.get("json"):
                raise Refused("--json needs --out FILE for the CSV")
            sys.stdout.write(buffer.getvalue())
        else:
            try:
                out.write_text(buffer.getvalue(), encoding="utf-8")
            except OSError as error:
                raise Refused(f"{out}: cannot write: {error.strerror}") from None
        return {
            "bill_month": f"{options['month']:%Y-%m}",
            "credits": len(credits),
            "yen": sum(c.yen for c in credits),
            "out": str(out) if out else "-",
        }

    def summarise(self, result: dict[str, Any]) -> str:
        """Counts, to standard error when the CSV went to standard output."""
        line = (
            f"bill month {result['bill_month']}: {result['credits']} credits, {result['yen']} yen"
        )
        if result["out"] == "-":
            sys.stderr.write(line + "\n")
            return ""
        return f"{line} written to {result['out']}"
