"""The SQL that queues club notices: one INSERT … SELECT per chunk of accounts.

The balance of an account as of a day D (SPEC §6: what it held at the end of D) counts its lots
still usable on D (expires_on >= D) as they were then: what they hold now, less every change
effective after D — single-lot entries (grants, expiries, revocations) and the draws of
multi-lot entries (redemptions, refunds, forfeitures, adjustments). It equals the sum of the
entries and draws effective by D (the audit holds lots to their entries), but reads only the
few entries dated after D. The points expiring on a date E are the same sum for the lot of E.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper

from memberclub.jobs.sql import is_postgres, rows_table

# Per account of the chunk: its balance as of %(as_of)s and the points of the lot of %(expiry)s.
BALANCES_AS_OF = """
    SELECT account_id, SUM(points) AS balance,
           SUM(CASE WHEN lot_expires_on = %(expiry)s THEN points ELSE 0 END) AS expiring
    FROM (
        SELECT l.account_id, l.expires_on AS lot_expires_on, l.remaining AS points
        FROM ledger_lot l
        WHERE l.account_id BETWEEN %(first_account)s AND %(last_account)s
          AND l.expires_on >= %(as_of)s AND l.remaining <> 0
        UNION ALL
        SELECT e.account_id, e.expires_on, -e.points
        FROM ledger_entry e
        WHERE e.account_id BETWEEN %(first_account)s AND %(last_account)s
          AND e.effective_on > %(as_of)s AND e.expires_on >= %(as_of)s
        UNION ALL
        SELECT e.account_id, l.expires_on, -d.points
        FROM ledger_entry e
        JOIN ledger_draw d ON d.entry_id = e.id
        JOIN ledger_lot l ON l.id = d.lot_id
        WHERE e.account_id BETWEEN %(first_account)s AND %(last_account)s
          AND e.effective_on > %(as_of)s AND e.expires_on IS NULL AND l.expires_on >= %(as_of)s
    ) AS moves
    GROUP BY account_id
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
      AND m.left_on IS NULL AND m.joined_on <= %(as_of)s
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
    return NOTICE_ROWS.format(kinds=table, balances=BALANCES_AS_OF, expiry=expiry)


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
