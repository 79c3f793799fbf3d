"""The journal's fiscal-year partitions (PostgreSQL): made ahead, and before a write needs one.

`ledger_entry` and `ledger_draw` are partitioned by range of the effective date, one partition
per fiscal year from April 1 to the next April 1 (`ledger_entry_fy2026`). The partitions are
made by the migration (the years the data needs, the current one and the next two), by
`memberclub ledger partitions` in the monthly schedule, and by every writer for the dates it
writes: one home for the DDL, the function `ledger_partitions_ensure`
(ledger/sql/0007_partitioned_journal.pg.sql). There is no DEFAULT partition: a row always lands
in its year's partition, so detaching a year takes exactly that year. SQLite's journal is not
partitioned: nothing to do there.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction

from memberclub.domain.errors import Refused

# The journal's years start on April 1 (SPEC §3.1's default): a program with another start
# month reads at most two partitions for one of its own years.
FIRST_MONTH = 4
# Years known to have their partitions in this process, recorded only once the transaction
# that made or found them has committed (a rolled-back one may have made them).
_ready: set[int] = set()
# The SQLSTATE of the function's refusal to write into an archived year.
ARCHIVED = "55000"


@dataclass
class Partitions:
    """The partitions that one call made, and those it found already there."""

    made: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)


def journal_year(on: dt.date) -> int:
    """The fiscal year whose partition holds a row effective on `on`."""
    return on.year if on.month >= FIRST_MONTH else on.year - 1


def partitions_ensure(*, through: dt.date, ahead: int = 0, from_first: bool = False) -> Partitions:
    """Make the partitions of the year of `through` and `ahead` years after it, and with
    `from_first` every year between the earliest partition and it; report each one."""
    result = Partitions()
    if connection.vendor != "postgresql":
        return result
    last = journal_year(through) + ahead
    first = None if from_first else journal_year(through)
    with transaction.atomic(), connection.cursor() as cursor:
        try:
            cursor.execute("SELECT * FROM ledger_partitions_ensure(%s, %s)", [first, last])
        except DatabaseError as error:
            # The function refuses a year that is archived (object_not_in_prerequisite_state).
            if getattr(error.__cause__, "sqlstate", None) == ARCHIVED:
                raise Refused(str(error.__cause__).splitlines()[0]) from error
            raise
        for name, made in cursor.fetchall():
            (result.made if made else result.existing).append(name)
        years = {int(name.rsplit("_fy", 1)[1]) for name in [*result.made, *result.existing]}
        transaction.on_commit(lambda: _ready.update(years))
    return result


def partition_ensure_for(on: dt.date) -> None:
    """Before writing an entry effective on `on`: its year's partitions exist afterwards.

    Called before the writer takes its first lock, since making a partition locks the table;
    the migration and the monthly job have almost always made it already."""
    if connection.vendor == "postgresql" and journal_year(on) not in _ready:
        partitions_ensure(through=on)
