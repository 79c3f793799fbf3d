"""`memberclub audit`: check every ledger invariant; exit 1 when any is violated."""

from typing import Any

from memberclub.cli.base import EXIT_FAILED, JsonCommand
from memberclub.ledger.audit import ledger_audit
from memberclub.reports.audit import summary_audit
from memberclub.rewards.audit import redemption_audit


class Command(JsonCommand):
    """Audit the ledger."""

    help = "Re-derive every balance from the journal and list each violated invariant."

    def perform(self, **options: Any) -> dict[str, Any]:
        """Run the audit."""
        result = ledger_audit()
        # The reports' summary must equal the journal it summarises.
        violations = [*result.violations, *redemption_audit(), *summary_audit()]
        if violations:
            self.exit_status = EXIT_FAILED
        return {"ok": not violations, "violations": violations}

    def summarise(self, result: dict[str, Any]) -> str:
        """OK, or each violated invariant."""
        if result["ok"]:
            return "audit: every invariant holds"
        return "\n".join(
            f"audit: {item['check']} violated by {len(item['rows'])}"
            f"{'+' if item['truncated'] else ''} rows"
            for item in result["violations"]
        )
