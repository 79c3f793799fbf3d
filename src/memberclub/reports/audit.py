"""Checking that the journal summary equals the journal it summarises."""

from typing import Any

from django.db import connection

# Each query lists the keys where the summary and the journal differ.
CHECKS = {
    "summary_matches_journal": """
        SELECT program, day, kind, rule, SUM(journal) AS journal, SUM(summary) AS summary
        FROM (
            SELECT program, effective_on AS day, kind, rule, SUM(points) AS journal, 0 AS summary
            FROM ledger_entry GROUP BY program, effective_on, kind, rule
            UNION ALL
            SELECT program, "on", kind, rule, 0, SUM(points)
            FROM reports_entrysummary GROUP BY program, "on", kind, rule
        ) AS both_sides
        GROUP BY program, day, kind, rule
        HAVING SUM(journal) <> SUM(summary)
    """,
    "summary_counts_entries": """
        SELECT program, day, kind, rule, SUM(journal) AS journal, SUM(summary) AS summary
        FROM (
            SELECT program, effective_on AS day, kind, rule, COUNT(*) AS journal, 0 AS summary
            FROM ledger_entry GROUP BY program, effective_on, kind, rule
            UNION ALL
            SELECT program, "on", kind, rule, 0, SUM(entries)
            FROM reports_entrysummary GROUP BY program, "on", kind, rule
        ) AS both_sides
        GROUP BY program, day, kind, rule
        HAVING SUM(journal) <> SUM(summary)
    """,
    "lot_flow_matches_journal": """
        SELECT program, day, expires_on, kind, SUM(journal) AS journal, SUM(summary) AS summary
        FROM (
            SELECT program, effective_on AS day, expires_on, kind, points AS journal, 0 AS summary
            FROM ledger_entry WHERE expires_on IS NOT NULL
            UNION ALL
            SELECT e.program, e.effective_on, l.expires_on, e.kind, d.points, 0
            FROM ledger_draw d JOIN ledger_entry e ON e.id = d.entry_id
            JOIN ledger_lot l ON l.id = d.lot_id
            UNION ALL
            SELECT program, "on", expires_on, kind, 0, points FROM reports_lotflow
        ) AS both_sides
        GROUP BY program, day, expires_on, kind
        HAVING SUM(journal) <> SUM(summary)
    """,
}
LISTED_PER_CHECK = 100


def summary_audit() -> list[dict[str, Any]]:
    """Every check the summary fails, with (up to 100 of) the keys that differ."""
    violations = []
    with connection.cursor() as cursor:
        for check, sql in CHECKS.items():
            cursor.execute(f"{sql} LIMIT {LISTED_PER_CHECK + 1}")
            found = cursor.fetchall()
            if found:
                names = [column[0] for column in cursor.description]
                rows = [
                    {
                        n: v if isinstance(v, int | str) else str(v)
                        for n, v in zip(names, row, strict=True)
                    }
                    for row in found[:LISTED_PER_CHECK]
                ]
                violations.append(
                    {"check": check, "rows": rows, "truncated": len(found) > LISTED_PER_CHECK}
                )
    return violations
