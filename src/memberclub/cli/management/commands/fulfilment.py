"""`memberclub fulfilment export [--out FILE]` / `fulfilment import FILE [--encoding cp932]`."""

import csv
import io
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from memberclub.cli.base import JsonCommand
from memberclub.cli.reports import import_summary
from memberclub.domain.errors import Refused
from memberclub.fulfilment.services import EXPORT_COLUMNS, fulfilment_export, fulfilment_import


class Command(JsonCommand):
    """Hand shipments to the vendor and take its answer back."""

    help = "Export requested shipments as the vendor's CSV; import its answer (tracking numbers)."

    def add_arguments(self, parser: CommandParser) -> None:
        """Verbs `export` and `import`."""
        verbs = parser.add_subparsers(dest="verb", required=True)
        export = verbs.add_parser("export", help="requested shipped redemptions as CSV")
        export.add_argument("--out", type=Path, help="file to write (default: standard output)")
        answer = verbs.add_parser("import", help="the vendor's answer with tracking numbers")
        answer.add_argument("file", type=Path)
        answer.add_argument("--encoding", default="utf-8", help="utf-8 (default) or cp932")

    def perform(self, **options: Any) -> dict[str, Any]:
        """Export or import."""
        if options["verb"] == "import":
            return fulfilment_import(path=options["file"], encoding=options["encoding"]).as_dict()
        rows = fulfilment_export()
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(rows)
        out: Path | None = options["out"]
        if out is None:
            if options.get("json"):
                raise Refused("--json needs --out FILE for the CSV")
            sys.stdout.write(buffer.getvalue())
        else:
            try:
                # With a BOM: the vendor's staff open it in Excel.
                out.write_text(buffer.getvalue(), encoding="utf-8-sig")
            except OSError as error:
                raise Refused(f"{out}: cannot write: {error.strerror}") from None
        return {"shipments": len(rows), "out": str(out) if out else "-"}

    def summarise(self, result: dict[str, Any]) -> str:
        """Counts; to standard error when the CSV went to standard output."""
        if "created" in result:
            return import_summary(result)
        line = f"{result['shipments']} shipments to hand to the vendor"
        if result["out"] == "-":
            sys.stderr.write(line + "\n")
            return ""
        return f"{line} written to {result['out']}"
