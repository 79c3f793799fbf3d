"""`memberclub points show|adjust|export`: read, correct and export customers' points."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from memberclub.cli.base import JsonCommand, date_argument, today
from memberclub.jobs.export import points_export
from memberclub.ledger.selectors import account_balance, account_for_customer, account_lots
from memberclub.ledger.services import points_adjust


class Command(JsonCommand):
    """Show or adjust points."""

    help = "Show a customer's points, or adjust them with a reason."

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: `show CUSTOMER_ID [--as-of D]` and `adjust CUSTOMER_ID --points N …`."""
        verbs = parser.add_subparsers(dest="verb", required=True)
        show = verbs.add_parser("show", help="balance and lots of a customer")
        show.add_argument("customer_id")
        show.add_argument("--as-of", type=date_argument, help="YYYY-MM-DD (default: today)")
        adjust = verbs.add_parser("adjust", help="add (N > 0) or take away (N < 0) points")
        adjust.add_argument("customer_id")
        adjust.add_argument("--points", type=int, required=True)
        adjust.add_argument("--on", type=date_argument, required=True, help="YYYY-MM-DD")
        adjust.add_argument("--reason", required=True)
        adjust.add_argument("--key", required=True, help="idempotency key")
        export = verbs.add_parser("export", help="every usable lot with points left, as CSV")
        export.add_argument("--as-of", type=date_argument, required=True, help="YYYY-MM-DD")
        export.add_argument("--out", type=Path, required=True, help="the CSV file to write")

    def perform(self, **options: Any) -> dict[str, Any]:
        """Dispatch on the verb."""
        if options["verb"] == "export":
            return points_export(as_of=options["as_of"], out=options["out"]).as_dict()
        account = account_for_customer(customer_id=options["customer_id"])
        if options["verb"] == "adjust":
            entry = points_adjust(
                account_id=account.pk,
                points=options["points"],
                on=options["on"],
                reason=options["reason"],
                key=options["key"],
            )
            balance = account_balance(account_id=account.pk, as_of=options["on"])
            return {"entry_id": entry.pk, "balance": balance}
        as_of = options["as_of"] or today()
        lots = account_lots(account_id=account.pk, as_of=as_of)
        return {
            "customer_id": options["customer_id"],
            "program": account.program,
            "balance": sum(lot.remaining for lot in lots),
            "lots": [
                {"expires_on": lot.expires_on.isoformat(), "remaining": lot.remaining}
                for lot in lots
            ],
        }

    def summarise(self, result: dict[str, Any]) -> str:
        """Balance, then one line per lot."""
        if "out" in result:
            return f"wrote {result['rows']:,} lots, {result['points']:,} points to {result['out']}"
        if "entry_id" in result:
            return f"entry {result['entry_id']} written; balance {result['balance']}"
        lines = [f"{result['customer_id']} ({result['program']}): {result['balance']} points"]
        lines += [
            f"  {lot['remaining']} usable through {lot['expires_on']}" for lot in result["lots"]
        ]
        return "\n".join(lines)
