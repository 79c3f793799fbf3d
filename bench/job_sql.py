"""Run inside a memberclub process: print the jobs' own SQL for the stage benchmarks, as JSON.

The stage benchmark times the eligibility SELECT and the write statements of the accrual and the
expiry apart from the job. So that it measures exactly what the jobs run, and follows them when
they change, this module builds the statements with the jobs' own code (memberclub.jobs) for one
chunk spanning every account, records what the write path would execute instead of executing
it, and prints each statement with its values bound in.

Usage: `python -m bench.job_sql PROGRAM MONTH AS_OF` with DATABASE_URL set (PostgreSQL).
"""

# Modules of memberclub are imported inside main(): they need django.setup() first.
# ruff: noqa: PLC0415

import datetime as dt
import json
import sys
from typing import Any

import django

# One chunk from the first account key to the last possible one: the whole program at once.
ALL_ACCOUNTS = (0, 2**63 - 1)


class RecordingCursor:
    """A cursor that keeps every statement it is given (values bound in) and returns nothing."""

    def __init__(self, compose: Any) -> None:
        self.compose = compose
        self.statements: list[str] = []

    def execute(self, sql: str, params: Any = None) -> None:
        """Record the statement instead of running it."""
        self.statements.append(self.compose(sql, params))

    def fetchall(self) -> list[tuple[Any, ...]]:
        """No rows: the recorded statements were not run."""
        return []

    def fetchone(self) -> tuple[Any, ...]:
        """One row of a zero, as a COUNT or MAX of nothing would give."""
        return (0,)


def main(program: str, month: dt.date, as_of: dt.date) -> None:
    """Print {"accrual": {...}, "expiry": {...}, "entry_columns": [...], "lot_columns": [...]}."""
    django.setup()
    from django.db import connection
    from django.db.backends.postgresql.operations import DatabaseOperations

    from memberclub.domain.accrual import award_date
    from memberclub.jobs.east import east_accrual
    from memberclub.jobs.expiry import EXPIRING_LOTS
    from memberclub.jobs.sql import day_after, entries_write
    from memberclub.ledger.columns import ENTRY_COLUMNS, KEY_COLUMNS, LOT_COLUMNS
    from memberclub.ledger.models import EntryKey
    from memberclub.programs.selectors import program_on

    if not isinstance(connection.ops, DatabaseOperations):
        raise SystemExit("bench.job_sql: the stage benchmark runs on PostgreSQL only")
    compose = connection.ops.compose_sql
    first, last = ALL_ACCOUNTS
    award_on = award_date(month)
    plan = east_accrual(program_on(program=program, on=award_on), award_on)
    accrual_params = {**plan.params, "first_account": first, "last_account": last}
    accrual = RecordingCursor(compose)
    entries_write(accrual, select=plan.select, params=accrual_params, credit=True)  # type: ignore[arg-type]

    expiry_params = {
        "program": program,
        "as_of": as_of,
        "as_of_text": as_of.isoformat(),
        "first_account": first,
        "last_account": last,
    }
    expiry_select = EXPIRING_LOTS.format(next_day=day_after("l.expires_on"))
    expiry = RecordingCursor(compose)
    entries_write(expiry, select=expiry_select, params=expiry_params, credit=False)  # type: ignore[arg-type]
    print(
        json.dumps(
            {
                "accrual": {
                    "select": compose(plan.select, accrual_params),
                    "write": accrual.statements,
                },
                "expiry": {
                    "select": compose(expiry_select, expiry_params),
                    "write": expiry.statements,
                },
                "entry_columns": list(ENTRY_COLUMNS),
                "lot_columns": list(LOT_COLUMNS),
                "key_columns": list(KEY_COLUMNS),
                # The key every write claims: the bare tables' one unique key.
                "entry_key": [field.column for field in EntryKey._meta.pk_fields],
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], dt.date.fromisoformat(sys.argv[2]), dt.date.fromisoformat(sys.argv[3]))
