"""Writing to the ledger: every write locks the account row, then its lots in expiry order.

One module per kind of write; every public name is importable from here."""

from memberclub.ledger.services.credit import points_adjust, points_credit
from memberclub.ledger.services.debit import (
    MULTI_LOT_DEBITS,
    Debited,
    account_close_out,
    account_lock,
    points_debit,
    points_debit_locked,
)
from memberclub.ledger.services.reversal import grant_revoke, points_refund

__all__ = [
    "MULTI_LOT_DEBITS",
    "Debited",
    "account_close_out",
    "account_lock",
    "grant_revoke",
    "points_adjust",
    "points_credit",
    "points_debit",
    "points_debit_locked",
    "points_refund",
]
