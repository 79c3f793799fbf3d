"""Keeping the journal summary small: folding a program's delta rows into one row per key."""

from django.db import connection, transaction

# Table: (key columns, their sums, the summed columns).
COMPACT = {
    "reports_entrysummary": (
        'program, "on", kind, rule',
        "SUM(entries), SUM(points)",
        "entries, points",
    ),
    "reports_lotflow": ('program, "on", expires_on, kind', "SUM(points)", "points"),
}


def summary_compact(*, program: str) -> dict[str, int]:
    """Replace the program's summary rows by their sums per key; the row counts after."""
    counts: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (key, sums, columns) in COMPACT.items():
            # SQLite's triggers already keep one row per key.
            if connection.vendor == "postgresql":
                # Rows that other transactions insert meanwhile are not seen by the DELETE and
                # stay as they are, so the sum over all rows never changes.
                cursor.execute(
                    f"WITH gone AS (DELETE FROM {table} WHERE program = %s RETURNING *) "
                    f"INSERT INTO {table} ({key}, {columns}) "
                    f"SELECT {key}, {sums} FROM gone GROUP BY {key}",
                    [program],
                )
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE program = %s", [program])
            counts[table] = int(cursor.fetchone()[0])
    return counts
