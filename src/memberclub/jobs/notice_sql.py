"""The SQL that queues club notices: one INSERT … SELECT per chunk of accounts.

The balance on the notice's day is the ledger's balance as of that day (SPEC §6,
`ledger.selectors.lots_as_of_sql`), read for the whole chunk in one statement; the points
expiring on a date E are the same lots' sum for the lot of E.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper

from memberclub.jobs.sql import is_postgres, rows_table
from memberclub.ledger.selectors import lots_as_of_sql
from memberclub.members.selectors import current_member_sql

# Per account of the chunk: its balance as of %(as_of)s and the points of the lot of %(expiry)s,
# from the ledger's one definition of a balance as of a day.
BALANCES_AS_OF = """
    SELECT held_lot.account_id, SUM(held_lot.remaining) AS balance,
           SUM(CASE WHEN held_lot.expires_on = %(expiry)s THEN held_lot.remaining ELSE 0 END)
               AS expiring
    FROM ({lots}) AS held_lot
    GROUP BY held_lot.account_id
"""

NOTICE_COLUMNS = (
    "member_id, program, kind, period, status, balance, expires_on, expiring_points, "
    "send_after, attempts, sent_to, last_error, created_at"
)

# Who gets each kind: current members who had joined by the notice's day, and then
#   balance       - opted in to the club's mail;
#   expiry_warning - with points in the lot of the expiry date, opted in or not;
#   program_end*  - everyone (a service notice).
NOTICE_ROWS = """
    SELECT m.id, a.program, k.kind, k.period, 'QUEUED', COALESCE(b.balance, 0),
           {expiry}, COALESCE(b.expiring, 0), k.send_after, 0, '', '',
           %(now)s
    FROM ledger_account a
    JOIN members_member m ON m.id = a.member_id
    CROSS JOIN {kinds}
    LEFT JOIN ({balances}) AS b ON b.account_id = a.id
    WHERE a.program = %(program)s
      AND a.id BETWEEN %(first_account)s AND %(last_account)s
      AND {current} AND m.joined_on <= %(as_of)s
      AND ((k.kind = 'balance' AND m.mail_opt_in = %(true)s)
           OR (k.kind = 'expiry_warning' AND COALESCE(b.expiring, 0) > 0)
           OR k.kind IN ('program_end', 'program_end_reminder'))
"""


@dataclass(frozen=True)
class NoticeKind:
    """One kind of notice a run queues, with its period and the moment it may go."""

    kind: str
    period: str
    send_after: dt.datetime


def moment(value: dt.datetime) -> Any:
    """A datetime as a raw statement must bind it (SQLite: naive UTC text, as the ORM stores)."""
    return connection.ops.adapt_datetimefield_value(value)


def notice_select(kinds: Sequence[NoticeKind], params: dict[str, Any]) -> str:
    """The SELECT of the notice rows of one chunk for `kinds` (binding them into `params`)."""
    table = rows_table(
        "k",
        ("kind", "period", "send_after"),
        [(kind.kind, kind.period, moment(kind.send_after)) for kind in kinds],
        params,
    )
    params["true"] = True
    # SQLite would make a number of CAST(… AS DATE); PostgreSQL needs the type of a NULL.
    expiry = "CAST(%(expiry)s AS DATE)" if is_postgres() else "%(expiry)s"
    lots, bound = lots_as_of_sql(as_of=params["as_of"], account_range=True)
    params.update(bound)
    balances = BALANCES_AS_OF.format(lots=lots)
    return NOTICE_ROWS.format(
        kinds=table, balances=balances, expiry=expiry, current=current_member_sql("m")
    )


def notices_insert(
    cursor: CursorWrapper, *, kinds: Sequence[NoticeKind], params: dict[str, Any]
) -> dict[str, int]:
    """Queue the chunk's notices of `kinds` that are not queued yet; return the new ones by kind."""
    bound = {**params, "now": moment(params["now"])}
    select = notice_select(kinds, bound)
    insert = (
        f"INSERT INTO notifications_noticemail ({NOTICE_COLUMNS}) "
        f"SELECT * FROM ({select}) AS q WHERE true "
        "ON CONFLICT (member_id, kind, period) DO NOTHING"
    )
    if is_postgres():
        cursor.execute(
            f"WITH new AS ({insert} RETURNING kind) SELECT kind, COUNT(*) FROM new GROUP BY kind",
            bound,
        )
    else:
        # SQLite: the transaction holds the only write lock, so the new rows are those above
        # the largest id before the insert.
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM notifications_noticemail")
        bound["mail_before"] = cursor.fetchone()[0]
        cursor.execute(insert, bound)
        cursor.execute(
            "SELECT kind, COUNT(*) FROM notifications_noticemail WHERE id > %(mail_before)s "
            "GROUP BY kind",
            bound,
        )
    return {kind: int(count) for kind, count in cursor.fetchall()}
