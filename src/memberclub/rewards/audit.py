"""What the database no longer checks about redemptions, checked by `memberclub audit`."""

from typing import Any

from memberclub.ledger.audit import checks_run

CHECKS = {
    # A redemption's debit is a REDEEM entry of its account, and its refund, when it has one, a
    # REFUND of that account reversing the debit: no foreign key into the journal checks it
    # (partitioned on PostgreSQL, docs/decisions.md).
    "redemption_names_entries": """
        SELECT r.id, r.number, r.debit_id, r.refund_id FROM rewards_redemption r
        LEFT JOIN ledger_entry d ON d.id = r.debit_id
        LEFT JOIN ledger_entry f ON f.id = r.refund_id
        WHERE d.id IS NULL OR d.account_id <> r.account_id OR d.kind <> 'REDEEM'
           OR (r.refund_id IS NOT NULL AND (
                f.id IS NULL OR f.account_id <> r.account_id OR f.kind <> 'REFUND'
                OR f.reverses_id IS NULL OR f.reverses_id <> r.debit_id))
    """,
}


def redemption_audit() -> list[dict[str, Any]]:
    """Every redemption whose debit or refund is not the entry it must be."""
    return checks_run(CHECKS)
