"""Run inside a memberclub process: time the liability report against a scan of the journal.

Prints one JSON line: the median milliseconds of the report (by month, from the summary) and
of the baseline, the same fiscal year's sums by kind computed from ledger_entry itself.
"""

import json
import statistics
import sys
import time
from collections.abc import Callable

import django

REPEATS = 5
BASELINE = """
    SELECT kind, rule, SUM(points) FROM ledger_entry
    WHERE program = %s AND effective_on BETWEEN %s AND %s GROUP BY kind, rule
"""


def _median_ms(call: Callable[[], None]) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(program: str, fiscal_year: int) -> None:
    """Warm both up once, then time each REPEATS times."""
    django.setup()
    from django.db import connection  # noqa: PLC0415 - after setup

    from memberclub.reports.selectors import (  # noqa: PLC0415
        fiscal_year_bounds,
        liability_roll_forward,
    )

    start, end = fiscal_year_bounds(program=program, year=fiscal_year)

    def report() -> None:
        liability_roll_forward(program=program, fiscal_year=fiscal_year, by_month=True)

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute(BASELINE, [program, start, end])
            cursor.fetchall()

    report()
    baseline()
    print(json.dumps({"report_ms": _median_ms(report), "baseline_ms": _median_ms(baseline)}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
