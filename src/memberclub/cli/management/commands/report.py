"""`memberclub report liability|outstanding|breakage|redemptions|compact`: the finance reports."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils import translation

from memberclub.cli.base import JsonCommand, date_argument, today
from memberclub.domain.errors import Refused
from memberclub.programs.selectors import program_codes
from memberclub.reports.redemptions import redemptions_by_item
from memberclub.reports.selectors import (
    breakage_by_cohort,
    fiscal_year_bounds,
    liability_roll_forward,
    outstanding_by_expiry,
)
from memberclub.reports.services import summary_compact
from memberclub.reports.tables import (
    Table,
    breakage_table,
    liability_table,
    outstanding_table,
    redemptions_table,
    table_csv,
)


class Command(JsonCommand):
    """Print or write a report."""

    help = "The liability roll-forward, outstanding points, breakage and redemptions reports."

    def add_arguments(self, parser: CommandParser) -> None:
        """One verb per report; --out FILE writes its CSV (UTF-8 with BOM)."""
        verbs = parser.add_subparsers(dest="verb", required=True)
        liability = verbs.add_parser("liability", help="roll-forward of a fiscal year")
        liability.add_argument("--fy", type=int, required=True, help="fiscal year, e.g. 2026")
        liability.add_argument("--by", choices=["month"], help="also each month")
        outstanding = verbs.add_parser("outstanding", help="points held by expiry date")
        outstanding.add_argument("--as-of", type=date_argument, required=True)
        breakage = verbs.add_parser("breakage", help="expired and forfeited share per cohort")
        breakage.add_argument("--as-of", type=date_argument, help="YYYY-MM-DD (default: today)")
        redemptions = verbs.add_parser("redemptions", help="redemptions by item and month")
        redemptions.add_argument("--fy", type=int, required=True)
        compact = verbs.add_parser("compact", help="fold the summary's rows, one per key")
        for verb in (liability, outstanding, breakage, redemptions, compact):
            verb.add_argument("--program", required=True)
        for verb in (liability, outstanding, breakage, redemptions):
            verb.add_argument("--out", type=Path, help="write the report as CSV to this file")

    def perform(self, **options: Any) -> dict[str, Any]:
        """Compute the report; write its CSV when asked."""
        program = options["program"]
        if program not in program_codes():
            raise Refused(f"no program {program!r}")
        verb = options["verb"]
        if verb == "compact":
            return {"program": program, "rows": summary_compact(program=program)}
        result, table = self._report(verb, program, options)
        self._table = table
        out: Path | None = options.get("out")
        if out is not None:
            try:
                out.write_bytes(table_csv(table))
            except OSError as error:
                raise Refused(f"{out}: cannot write: {error.strerror}") from None
            result["out"] = str(out)
        return result

    def _report(
        self, verb: str, program: str, options: dict[str, Any]
    ) -> tuple[dict[str, Any], Table]:
        if verb == "liability":
            if not 2000 <= options["fy"] <= 2100:
                raise Refused("--fy takes a fiscal year from 2000 to 2100")
            liability = liability_roll_forward(
                program=program, fiscal_year=options["fy"], by_month=options["by"] == "month"
            )
            result = liability.as_dict()
            if options["by"] != "month":
                del result["months"]
            return result, liability_table(liability)
        if verb == "outstanding":
            rows = outstanding_by_expiry(program=program, as_of=options["as_of"])
            return {
                "program": program,
                "as_of": options["as_of"].isoformat(),
                "total": sum(row.points for row in rows),
                "by_expiry": [
                    {"expires_on": row.expires_on.isoformat(), "points": row.points} for row in rows
                ],
            }, outstanding_table(rows, as_of=options["as_of"])
        if verb == "breakage":
            as_of = options["as_of"] or today()
            cohorts = breakage_by_cohort(program=program, as_of=as_of)
            return {
                "program": program,
                "as_of": as_of.isoformat(),
                "cohorts": [
                    {
                        "fiscal_year": c.fiscal_year,
                        "expires_on": c.expires_on.isoformat(),
                        "issued": c.issued,
                        "expired": c.expired,
                        "forfeited": c.forfeited,
                        "outstanding": c.outstanding,
                        "breakage": round(c.breakage, 4),
                    }
                    for c in cohorts
                ],
            }, breakage_table(cohorts)
        start, end = fiscal_year_bounds(program=program, year=options["fy"])
        items = redemptions_by_item(program=program, start=start, end=end)
        months = sorted({month for item in items for month in item.months})
        table = redemptions_table(items, months, english=translation.get_language() == "en")
        return {
            "program": program,
            "fiscal_year": options["fy"],
            "items": [
                {
                    "code": item.code,
                    "stock": item.stock,
                    "months": {f"{m:%Y-%m}": list(v) for m, v in sorted(item.months.items())},
                }
                for item in items
            ],
        }, table

    def summarise(self, result: dict[str, Any]) -> str:
        """The report's table as aligned text (to standard error with --json)."""
        table: Table | None = getattr(self, "_table", None)
        if table is None:
            return f"summary rows after compaction: {result['rows']}"
        lines = [table.title, "\t".join(table.headers)]
        lines += ["\t".join("" if v is None else str(v) for v in row) for row in table.rows]
        text = "\n".join(lines)
        if "out" in result:
            return f"{table.title}: written to {result['out']}"
        if self.json_output:
            sys.stderr.write(text + "\n")
            return ""
        return text
