"""Re-deriving every balance from the journal (SPEC §6): one set-based query per invariant."""

from dataclasses import dataclass, field
from typing import Any

from django.db import connection

# How many violations of one invariant are listed; `truncated` says when there are more.
LISTED_PER_CHECK = 100

LOT_TOTALS = """
    SELECT account_id, expires_on, SUM(points) AS total,
           SUM(CASE WHEN kind IN ('GRANT', 'ADJUST') AND points > 0 THEN points ELSE 0 END)
             AS credited
    FROM ledger_entry WHERE expires_on IS NOT NULL GROUP BY account_id, expires_on
"""

CHECKS: dict[str, str] = {
    # Per lot: remaining = its single-lot entries + its draws; 0 <= remaining <= granted;
    # granted = the credits that went into it.
    "lot_matches_journal": f"""
        SELECT l.id, l.account_id, l.expires_on, l.granted, l.remaining,
               COALESCE(e.total, 0) + COALESCE(d.total, 0) AS derived,
               COALESCE(e.credited, 0) AS credited
        FROM ledger_lot l
        LEFT JOIN ({LOT_TOTALS}) e ON e.account_id = l.account_id AND e.expires_on = l.expires_on
        LEFT JOIN (SELECT lot_id, SUM(points) AS total FROM ledger_draw GROUP BY lot_id) d
          ON d.lot_id = l.id
        WHERE l.remaining <> COALESCE(e.total, 0) + COALESCE(d.total, 0)
           OR l.granted <> COALESCE(e.credited, 0)
           OR l.remaining < 0 OR l.remaining > l.granted
    """,
    # Every single-lot entry names a lot that exists.
    "entry_has_lot": """
        SELECT e.id, e.account_id, e.expires_on FROM ledger_entry e
        LEFT JOIN ledger_lot l ON l.account_id = e.account_id AND l.expires_on = e.expires_on
        WHERE e.expires_on IS NOT NULL AND l.id IS NULL
    """,
    # Each multi-lot entry equals the sum of its draws; single-lot entries have none; every draw
    # goes the same way as its entry and stays within the entry's account.
    "draws_add_up": """
        SELECT e.id, e.kind, e.points, d.total, d.n
        FROM ledger_entry e
        LEFT JOIN (
            SELECT dr.entry_id, SUM(dr.points) AS total, COUNT(*) AS n,
                   SUM(CASE WHEN dr.account_id <> l.account_id THEN 1 ELSE 0 END) AS foreign_lots,
                   MIN(dr.points) AS low, MAX(dr.points) AS high
            FROM ledger_draw dr JOIN ledger_lot l ON l.id = dr.lot_id GROUP BY dr.entry_id
        ) d ON d.entry_id = e.id
        WHERE (e.expires_on IS NULL AND e.points <> COALESCE(d.total, 0))
           OR (e.expires_on IS NOT NULL AND d.n IS NOT NULL)
           OR d.foreign_lots > 0
           OR (e.points < 0 AND d.high > 0) OR (e.points > 0 AND d.low < 0)
    """,
    # Per account: the sum of its entries = the sum of its lots' remainders.
    "account_balance": """
        SELECT a.id, COALESCE(e.total, 0) AS entries, COALESCE(l.total, 0) AS lots
        FROM ledger_account a
        LEFT JOIN (SELECT account_id, SUM(points) AS total FROM ledger_entry GROUP BY account_id) e
          ON e.account_id = a.id
        LEFT JOIN (SELECT account_id, SUM(remaining) AS total FROM ledger_lot GROUP BY account_id) l
          ON l.account_id = a.id
        WHERE COALESCE(e.total, 0) <> COALESCE(l.total, 0)
    """,
    # Per program: issued - redeemed + refunded - expired - forfeited - revoked +/- adjusted
    # = outstanding.
    "program_roll_forward": """
        SELECT p.program, p.issued, p.redeemed, p.refunded, p.expired, p.forfeited, p.revoked,
               p.adjusted, COALESCE(o.outstanding, 0) AS outstanding
        FROM (
            SELECT program,
              SUM(CASE WHEN kind = 'GRANT' THEN points ELSE 0 END) AS issued,
              SUM(CASE WHEN kind = 'REDEEM' THEN -points ELSE 0 END) AS redeemed,
              SUM(CASE WHEN kind = 'REFUND' THEN points ELSE 0 END) AS refunded,
              SUM(CASE WHEN kind = 'EXPIRE' THEN -points ELSE 0 END) AS expired,
              SUM(CASE WHEN kind = 'FORFEIT' THEN -points ELSE 0 END) AS forfeited,
              SUM(CASE WHEN kind = 'REVOKE' THEN -points ELSE 0 END) AS revoked,
              SUM(CASE WHEN kind = 'ADJUST' THEN points ELSE 0 END) AS adjusted
            FROM ledger_entry GROUP BY program
        ) p
        LEFT JOIN (SELECT program, SUM(remaining) AS outstanding FROM ledger_lot GROUP BY program) o
          ON o.program = p.program
        WHERE p.issued - p.redeemed + p.refunded - p.expired - p.forfeited - p.revoked
              + p.adjusted <> COALESCE(o.outstanding, 0)
    """,
    # Lots and entries belong to the program of their account, and their account exists (no
    # foreign key checks it on PostgreSQL; a draw's account is its lot's, checked above).
    "program_matches_account": """
        SELECT 'lot' AS row_kind, l.id FROM ledger_lot l
        LEFT JOIN ledger_account a ON a.id = l.account_id
        WHERE a.id IS NULL OR l.program <> a.program
        UNION ALL
        SELECT 'entry', e.id FROM ledger_entry e
        LEFT JOIN ledger_account a ON a.id = e.account_id
        WHERE a.id IS NULL OR e.program <> a.program
    """,
    # Every entry has its idempotency key's row, naming it by its program, account and date,
    # and every key row names exactly one entry (the key table guards the key's uniqueness;
    # the journal, partitioned by date on PostgreSQL, has no unique key of its own for it).
    "entry_has_key": """
        SELECT 'entry' AS row_kind, e.program, e.idempotency_key, e.id AS entries
        FROM ledger_entry e
        LEFT JOIN ledger_entrykey k
          ON k.program = e.program AND k.idempotency_key = e.idempotency_key
        WHERE k.program IS NULL OR k.account_id <> e.account_id OR k.effective_on <> e.effective_on
        UNION ALL
        SELECT 'key', k.program, k.idempotency_key, COUNT(e.id)
        FROM ledger_entrykey k
        LEFT JOIN ledger_entry e
          ON e.account_id = k.account_id AND e.effective_on = k.effective_on
         AND e.program = k.program AND e.idempotency_key = k.idempotency_key
        GROUP BY k.program, k.idempotency_key HAVING COUNT(e.id) <> 1
    """,
    # A draw names an entry and a lot that exist, and its entry's account and date (SQLite has
    # no foreign key for either; PostgreSQL's carry the account and the date).
    "draw_names_entry_and_lot": """
        SELECT d.id, d.entry_id, d.lot_id, d.account_id, d.effective_on FROM ledger_draw d
        LEFT JOIN ledger_entry e ON e.id = d.entry_id
        LEFT JOIN ledger_lot l ON l.id = d.lot_id
        WHERE e.id IS NULL OR l.id IS NULL
           OR e.account_id <> d.account_id OR e.effective_on <> d.effective_on
    """,
    # A reversal names an entry of its own account (no foreign key checks it on PostgreSQL).
    "reversal_names_entry": """
        SELECT r.id, r.account_id, r.reverses_id FROM ledger_entry r
        LEFT JOIN ledger_entry e ON e.id = r.reverses_id
        WHERE r.reverses_id IS NOT NULL AND (e.id IS NULL OR e.account_id <> r.account_id)
    """,
}


@dataclass
class AuditResult:
    """Every violated invariant, with the rows that break it."""

    violations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no invariant is violated."""
        return not self.violations


def _jsonable(value: object) -> object:
    return value if isinstance(value, int | str | float) or value is None else str(value)


def checks_run(checks: dict[str, str]) -> list[dict[str, Any]]:
    """Run each check's query; every one that finds rows is a violation, listing them."""
    violations = []
    with connection.cursor() as cursor:
        for check, sql in checks.items():
            cursor.execute(f"{sql} LIMIT {LISTED_PER_CHECK + 1}")
            found = cursor.fetchall()
            if not found:
                continue
            names = [column[0] for column in cursor.description]
            rows = [
                {name: _jsonable(value) for name, value in zip(names, row, strict=True)}
                for row in found[:LISTED_PER_CHECK]
            ]
            violations.append(
                {"check": check, "rows": rows, "truncated": len(found) > LISTED_PER_CHECK}
            )
    return violations


def ledger_audit() -> AuditResult:
    """Check every invariant of the ledger over all accounts and programs."""
    return AuditResult(violations=checks_run(CHECKS))
