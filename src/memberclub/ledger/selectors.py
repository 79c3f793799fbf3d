"""Reading balances and lots; an expired lot never counts, whether or not the job has run."""

import datetime as dt
from typing import Any

from django.db import connection

from memberclub.domain.errors import Refused
from memberclub.ledger.models import Account, Lot
from memberclub.members.models import Member

# A lot's points at the end of day D (SPEC §6) are its points now less every change effective
# after D: the single-lot entries (grants, expiries, revocations, positive adjustments) named
# by (account, expires_on) and the draws of multi-lot entries. Counting back from the lot's
# stored remainder reads only the entries after D, few for a recent month-end, instead of the
# whole journal (through a BRIN index on the date on PostgreSQL); lots that expired by D
# (expires_on < D) are left out, journalled or not.
LATER_SINGLE = """
    SELECT e.account_id, e.expires_on, SUM(e.points) AS points
    FROM ledger_entry e
    WHERE e.effective_on >= %(day_after)s AND e.expires_on IS NOT NULL {entry_filter}
    GROUP BY e.account_id, e.expires_on
"""
# Only multi-lot entries have draws (the audit holds it), and a draw carries its entry's date:
# the draws alone, of the partitions after D. "On or after D + 1" rather than "after D": the
# planner cannot tell that no date lies between D and D + 1, and would read D's year too.
LATER_DRAWS = """
    SELECT d.lot_id, SUM(d.points) AS points
    FROM ledger_draw d
    WHERE d.effective_on >= %(day_after)s {draw_filter}
    GROUP BY d.lot_id
"""
LOTS_AS_OF = """
    SELECT l.id, l.account_id, l.program, l.expires_on,
           l.remaining - COALESCE(single.points, 0) - COALESCE(drawn.points, 0) AS remaining
    FROM ledger_lot l
    LEFT JOIN ({single}) single
      ON single.account_id = l.account_id AND single.expires_on = l.expires_on
    LEFT JOIN ({draws}) drawn ON drawn.lot_id = l.id
    WHERE l.expires_on >= %(as_of)s {lot_filter}
"""


def as_of_index_refresh() -> None:
    """Before many as-of reads (a batch job's chunks), summarise the journal's date index.

    PostgreSQL's BRIN index on the entries' date knows nothing of the pages written since the
    last VACUUM, and every as-of read scans all of them: after a fresh journal of 2,000,000
    entries, 1.4 s per chunk of the notices job, twice (EXPLAIN ANALYZE: "lossy" heap blocks,
    every row removed by the recheck). Summarising them once takes about as long as one such
    scan; the chunks then skip them. SQLite has no such index: nothing to do."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # The index is partitioned (one per fiscal year): each partition's own is summarised.
        cursor.execute(
            "SELECT brin_summarize_new_values(i.inhrelid) FROM pg_inherits i"
            " WHERE i.inhparent = 'ledger_entry_effective_on_brin'::regclass"
        )


def lots_as_of_sql(
    *, as_of: dt.date, account_id: int | None = None, account_range: bool = False
) -> tuple[str, dict[str, Any]]:
    """The statement (and its parameters) of every lot with points at the end of day `as_of`,
    columns id, account_id, program, expires_on, remaining; of one account, of the accounts
    from %(first_account)s to %(last_account)s (a batch job's chunk, bound by the caller) with
    `account_range`, or of all.

    The one definition of a balance as of a date: `account_lots`, `account_balance`, the
    points export, the liability report and the monthly notices all read it.
    """
    params: dict[str, Any] = {"as_of": as_of, "day_after": as_of + dt.timedelta(days=1)}
    account = ""
    if account_id is not None:
        params["account_id"] = account_id
        account = "= %(account_id)s"
    elif account_range:
        account = "BETWEEN %(first_account)s AND %(last_account)s"
    statement = LOTS_AS_OF.format(
        single=LATER_SINGLE.format(entry_filter=f"AND e.account_id {account}" if account else ""),
        draws=LATER_DRAWS.format(draw_filter=f"AND d.account_id {account}" if account else ""),
        lot_filter=f"AND l.account_id {account}" if account else "",
    )
    return f"SELECT * FROM ({statement}) held WHERE held.remaining > 0", params


def account_for_customer(*, customer_id: str) -> Account:
    """Return the account of the contract's current member, or else of its latest one."""
    members = Member.objects.filter(contract__customer_id=customer_id)
    member = (
        members.filter(left_on__isnull=True).first()
        or members.order_by("-joined_on", "-id").first()
    )
    if member is None:
        raise Refused(f"no member for customer ID {customer_id}")
    return Account.objects.get(member=member)


def account_lots(*, account_id: int, as_of: dt.date) -> list[Lot]:
    """Return the lots with points at the end of day `as_of`, soonest first, each lot's
    `remaining` being its points then (unsaved instances: never write them back)."""
    sql, params = lots_as_of_sql(as_of=as_of, account_id=account_id)
    rows = _rows(f"{sql} ORDER BY held.expires_on", params)
    return [
        Lot(id=lot_id, account_id=account, program=program, expires_on=_day(on), remaining=left)
        for lot_id, account, program, on, left in rows
    ]


def account_balance(*, account_id: int, as_of: dt.date) -> int:
    """Return the points an account held at the end of day `as_of`."""
    return sum(lot.remaining for lot in account_lots(account_id=account_id, as_of=as_of))


def program_balance(*, program: str, as_of: dt.date) -> int:
    """Return the points all accounts of a program held at the end of day `as_of`."""
    sql, params = lots_as_of_sql(as_of=as_of)
    params["program"] = program
    rows = _rows(
        f"SELECT SUM(held.remaining) FROM ({sql}) held WHERE program = %(program)s", params
    )
    return int(rows[0][0] or 0)


def _rows(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _day(value: Any) -> dt.date:
    """A date column as a date (SQLite returns raw SQL text for computed selects)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
