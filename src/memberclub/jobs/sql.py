"""Writing journal entries set-based: one INSERT … SELECT, then the lots of exactly what was new.

A job builds a SELECT that yields whole entry rows (ledger.columns.ENTRY_COLUMNS, in order).
`entries_write` claims their idempotency keys in `ledger_entrykey`, inserts the entries of the
keys it claimed, and moves the lots by the entries it really inserted, never by what it merely
selected. On PostgreSQL one statement does it all (a data-modifying WITH over INSERT …
RETURNING). On SQLite the transaction already holds the only write lock, so the entries whose
key is not there yet are new; their keys follow them, and the new entries are those with an id
above the largest before it.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper

from memberclub.ledger.columns import ENTRY_COLUMNS, KEY_COLUMNS, LOT_COLUMNS, column_list

# Credits (grants) add to a lot, creating it when needed; granted counts them. PostgreSQL
# refuses to update one row twice in a statement, so there the credits of a lot are summed
# first; SQLite applies them one by one, which is cheaper than sorting them.
CREDIT_LOTS = f"""
    INSERT INTO ledger_lot ({column_list(LOT_COLUMNS)})
    SELECT account_id, program, expires_on, {{points}}, {{points}} FROM {{new}} WHERE true {{group}}
    ON CONFLICT (account_id, expires_on) DO UPDATE
    SET granted = ledger_lot.granted + excluded.granted,
        remaining = ledger_lot.remaining + excluded.remaining
"""
# Single-lot debits (expiry, revocation) lower a lot that exists; the CHECK keeps it >= 0.
# In key order, the order the lots were written in, so the updates walk the table forwards.
DEBIT_LOTS = """
    UPDATE ledger_lot SET remaining = ledger_lot.remaining + d.points
    FROM (SELECT account_id, expires_on, SUM(points) AS points FROM {new}
          GROUP BY account_id, expires_on ORDER BY account_id, expires_on) AS d
    WHERE ledger_lot.account_id = d.account_id AND ledger_lot.expires_on = d.expires_on
"""
# The rows of `{select}` whose keys this statement claims, then their entries (PostgreSQL).
# The select is computed once (MATERIALIZED); the keys' ON CONFLICT waits for a writer of the
# same key in flight and skips it once it commits, as the entry's own key used to.
CLAIMED_ENTRIES_PG = f"""
    q ({column_list(ENTRY_COLUMNS)}) AS MATERIALIZED ({{select}}),
    claimed AS (
        INSERT INTO ledger_entrykey ({column_list(KEY_COLUMNS)})
        SELECT {column_list(KEY_COLUMNS)} FROM q
        ON CONFLICT (program, idempotency_key) DO NOTHING RETURNING program, idempotency_key
    ),
    new AS (
        INSERT INTO ledger_entry ({column_list(ENTRY_COLUMNS)})
        SELECT q.* FROM q JOIN claimed
          ON claimed.program = q.program AND claimed.idempotency_key = q.idempotency_key
        RETURNING {{returning}}
    )
"""
# The same for a chunk none of whose keys exists yet, its first run (the runner skips a chunk
# done before): every key is claimed by a plain INSERT and every selected row written, with no
# arbiter check per row and no join of the rows to the keys they claimed, a fifth of the
# accrual's statement (docs/decisions.md, the fresh chunk). A key that does exist (a chunk
# drawn otherwise by an earlier run, a close-out's expiry) makes the key's primary key refuse
# the whole statement, and `entries_write` runs CLAIMED_ENTRIES_PG instead.
FRESH_ENTRIES_PG = f"""
    q ({column_list(ENTRY_COLUMNS)}) AS MATERIALIZED ({{select}}),
    claimed AS (
        INSERT INTO ledger_entrykey ({column_list(KEY_COLUMNS)})
        SELECT {column_list(KEY_COLUMNS)} FROM q
    ),
    new AS (
        INSERT INTO ledger_entry ({column_list(ENTRY_COLUMNS)})
        SELECT q.* FROM q
        RETURNING {{returning}}
    )
"""
KEY_TAKEN = "ledger_entrykey_pkey"
# The accounts of a chunk that a job's statement is about to lower lots of, locked in key order
# as every writer that lowers a lot locks its account first (PostgreSQL). The range is named
# on the accounts themselves: without it the planner walks the account key from the first
# account to the chunk's, so each chunk's lock cost more than the one before and a run grew
# with the square of the program (the expiry's chunk 20 of 20 at a million members locked in
# 263 ms, its first in 46 ms; docs/decisions.md, 2026-12-04, the expiry within its aim).
CHUNK_ACCOUNTS_LOCK = """
    SELECT id FROM ledger_account
    WHERE id BETWEEN %(first_account)s AND %(last_account)s AND id IN ({accounts})
    ORDER BY id FOR UPDATE
"""
# SQLite: the entries of `{select}` whose key is not claimed yet, then their keys.
NEW_ENTRIES_SQLITE = f"""
    WITH q ({column_list(ENTRY_COLUMNS)}) AS ({{select}})
    INSERT INTO ledger_entry ({column_list(ENTRY_COLUMNS)})
    SELECT * FROM q WHERE NOT EXISTS (
        SELECT 1 FROM ledger_entrykey k
        WHERE k.program = q.program AND k.idempotency_key = q.idempotency_key)
"""
KEYS_OF_NEW_SQLITE = f"""
    INSERT INTO ledger_entrykey ({column_list(KEY_COLUMNS)})
    SELECT {column_list(KEY_COLUMNS)} FROM ledger_entry WHERE id > %(entries_before)s
"""
SUMMARY = """
    SELECT kind, rule, COUNT(*), COALESCE(SUM(points), 0),
           (SELECT COUNT(DISTINCT account_id) FROM {new}),
           (SELECT COUNT(DISTINCT account_id) FROM {new} WHERE account_id IN {known})
    FROM {new} GROUP BY kind, rule
"""


@dataclass
class Written:
    """What one statement wrote: entries and points by (kind, rule), and the accounts touched."""

    entries: dict[tuple[str, str], int] = field(default_factory=dict)
    points: dict[tuple[str, str], int] = field(default_factory=dict)
    accounts: int = 0
    # How many of the accounts the caller named were among them.
    known_accounts: int = 0


def is_postgres() -> bool:
    """True on PostgreSQL, where the statements differ from SQLite's."""
    return connection.vendor == "postgresql"


def joins_by_key(cursor: CursorWrapper) -> None:
    """Make the rest of this chunk's transaction join through keys, not by hashing tables.

    A chunk names a narrow range of accounts, but a hash join reads the whole of the other
    side: every member and contract (the accrual), every lot (expiry, program close) and, in
    the journal summary's trigger, every entry and lot, once per chunk, which grows with the
    program rather than the chunk. Measured at a million members (docs/decisions.md, the
    journal's shape). SQLite has no hash joins.
    """
    if is_postgres():
        cursor.execute("SET LOCAL enable_hashjoin = off")


def day_after(column: str) -> str:
    """SQL for the day after a date column."""
    return f"({column} + 1)" if is_postgres() else f"date({column}, '+1 day')"


def month_of(column: str) -> str:
    """SQL for the month number (1-12) of a date column."""
    if is_postgres():
        return f"EXTRACT(MONTH FROM {column})::integer"
    return f"CAST(substr({column}, 6, 2) AS INTEGER)"


def rows_table(
    name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], params: dict[str, Any]
) -> str:
    """A derived table of bound rows, e.g. the points table of a program, for a FROM clause."""
    selects = []
    for number, row in enumerate(rows):
        values = []
        for column, value in zip(columns, row, strict=True):
            key = f"{name}_{number}_{column}"
            params[key] = value
            values.append(f"%({key})s AS {column}")
        selects.append("SELECT " + ", ".join(values))
    if not selects:
        raise ValueError(f"{name}: a table of bound rows needs at least one row")
    return "(" + " UNION ALL ".join(selects) + f") AS {name}"


def in_list(name: str, values: Sequence[Any], params: dict[str, Any]) -> str:
    """A bound IN list; an empty list matches nothing."""
    if not values:
        return "(NULL)"
    keys = []
    for number, value in enumerate(values):
        params[f"{name}_{number}"] = value
        keys.append(f"%({name}_{number})s")
    return "(" + ", ".join(keys) + ")"


def entries_write(
    cursor: CursorWrapper,
    *,
    select: str,
    params: Mapping[str, Any],
    credit: bool,
    known_accounts: Sequence[int] = (),
) -> Written:
    """Insert the entries `select` yields (new keys only) and move their lots by exactly those."""
    bound = dict(params)
    known = in_list("known_account", known_accounts, bound)
    if not credit:
        lots = DEBIT_LOTS
    elif is_postgres():
        lots = CREDIT_LOTS.replace("{points}", "SUM(points)").replace(
            "{group}", "GROUP BY account_id, program, expires_on"
        )
    else:
        lots = CREDIT_LOTS.replace("{points}", "points").replace("{group}", "")
    if is_postgres():
        returning = "account_id, program, expires_on, points, kind, rule"
        rest = f", lots AS ({lots.format(new='new')}) {SUMMARY.format(new='new', known=known)}"
        return _written(
            fresh_or_claimed(
                cursor,
                fresh=f"WITH {FRESH_ENTRIES_PG.format(select=select, returning=returning)}{rest}",
                claimed=f"WITH {CLAIMED_ENTRIES_PG.format(select=select, returning=returning)}"
                f"{rest}",
                params=bound,
            )
        )
    bound["entries_before"] = entries_before(cursor)
    cursor.execute(NEW_ENTRIES_SQLITE.format(select=select), bound)
    cursor.execute(KEYS_OF_NEW_SQLITE, bound)
    new = "(SELECT * FROM ledger_entry WHERE id > %(entries_before)s) AS new_entries"
    cursor.execute(lots.format(new=new), bound)
    cursor.execute(SUMMARY.format(new=new, known=known), bound)
    return _written(cursor.fetchall())


def fresh_or_claimed(
    cursor: CursorWrapper, *, fresh: str, claimed: str, params: Mapping[str, Any]
) -> list[tuple[Any, ...]]:
    """Run `fresh` (FRESH_ENTRIES_PG) in a savepoint; if one of its keys exists, `claimed`."""
    try:
        with transaction.atomic():
            cursor.execute(fresh, params)
            return list(cursor.fetchall())
    except IntegrityError as error:
        if getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) != KEY_TAKEN:
            raise
    cursor.execute(claimed, params)
    return list(cursor.fetchall())


def entries_before(cursor: CursorWrapper) -> int:
    """SQLite: the largest entry id so far; the entries this transaction writes come after it."""
    cursor.execute("SELECT COALESCE(MAX(id), 0) FROM ledger_entry")
    return int(cursor.fetchone()[0])


def _written(rows: list[tuple[Any, ...]]) -> Written:
    written = Written()
    for kind, rule, entries, points, accounts, known in rows:
        written.entries[(kind, rule)] = int(entries)
        written.points[(kind, rule)] = int(points)
        written.accounts = int(accounts)
        written.known_accounts = int(known)
    return written
