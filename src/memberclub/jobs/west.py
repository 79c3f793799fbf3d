"""Usage accrual (SPEC §3.3) as SQL: arrears revocations, usage points by rank, long-term points.

A chunk first takes back the usage points of rewarded months the feed now marks unpaid (from the
lot each went into, at most what is left there, recording the shortfall), then grants points for
every paid month not yet rewarded and for service anniversaries, all dated the award date. The
bill rows remember what was rewarded and revoked so a run reads only bills that need it; the
journal's idempotency keys (`usage:<customer>:<month>`, `revoke:<grant id>`), looked up in
`ledger_entrykey`, make each happen at most once whatever the bill rows say.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.backends.utils import CursorWrapper

from memberclub.domain.accrual import ONE_DAY, anniversary_start_windows, month_key
from memberclub.domain.calendar import add_months
from memberclub.domain.program import ProgramDefinition, UsageAccrual
from memberclub.jobs.runner import ChunkResult
from memberclub.jobs.sql import (
    CHUNK_ACCOUNTS_LOCK,
    Written,
    entries_write,
    in_list,
    is_postgres,
    joins_by_key,
    rows_table,
)

RULES = ("usage", "long_term", "arrears")

ACCOUNTS = """
    FROM ledger_account a
    JOIN members_member m ON m.id = a.member_id
    JOIN contracts_contract c ON c.id = m.contract_id
"""
IN_CHUNK = "a.program = %(program)s AND a.id BETWEEN %(first_account)s AND %(last_account)s"
# Not left by the award date, and the contract not CANCELED on it.
MEMBER_AND_CONTRACT = """
    (m.left_on IS NULL OR m.left_on > %(award_on)s)
    AND NOT (c.status = 'CANCELED' AND c.status_effective_on <= %(award_on)s)
"""
GRANT_KEY = "'usage:' || c.customer_id || ':' || {bill}.billing_month"
# Rewarded usage grants whose bill is now unpaid and that no revocation has taken back yet.
ARREARS = f"""
    FROM usage_usagebill b
    JOIN contracts_contract c ON c.id = b.contract_id
    JOIN ledger_entrykey gk
      ON gk.program = %(program)s AND gk.idempotency_key = {GRANT_KEY.format(bill="b")}
    JOIN ledger_entry g
      ON g.account_id = gk.account_id AND g.effective_on = gk.effective_on
     AND g.program = gk.program AND g.idempotency_key = gk.idempotency_key
    WHERE NOT b.paid AND b.rewarded_on IS NOT NULL AND b.revoked_on IS NULL
      AND g.account_id BETWEEN %(first_account)s AND %(last_account)s
"""
NOT_YET_REVOKED = """
    AND NOT EXISTS (
        SELECT 1 FROM ledger_entrykey r
        WHERE r.program = %(program)s AND r.idempotency_key = 'revoke:' || g.id)
"""
# Each takes what is left in its lot after the earlier ones in the same lot, up to its points.
REVOCATIONS = f"""
    SELECT %(program)s, account_id, 'REVOKE', -taken, %(award_on)s, expires_on, rule, period,
           'revoke:' || id, 'billing month ' || period || ' marked unpaid', points - taken, id
    FROM (
        SELECT g.id, g.account_id, g.expires_on, g.rule, g.period, g.points,
               CASE WHEN l.remaining - COALESCE(g.before_it, 0) <= 0 THEN 0
                    WHEN l.remaining - COALESCE(g.before_it, 0) >= g.points THEN g.points
                    ELSE l.remaining - COALESCE(g.before_it, 0) END AS taken
        FROM (
            SELECT g.id, g.account_id, g.expires_on, g.rule, g.period, g.points,
                   SUM(g.points) OVER (
                       PARTITION BY g.account_id, g.expires_on ORDER BY g.id
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_it
            {ARREARS} {NOT_YET_REVOKED}
        ) AS g
        JOIN ledger_lot l ON l.account_id = g.account_id AND l.expires_on = g.expires_on
    ) AS revocation
"""
# The grants of bills taken back, by this run or by a late cancellation before it.
MARK_REVOKED = f"""
    UPDATE usage_usagebill SET revoked_on = %(award_on)s
    WHERE id IN (
        SELECT b.id {ARREARS}
          AND EXISTS (
              SELECT 1 FROM ledger_entrykey r
              WHERE r.program = %(program)s AND r.idempotency_key = 'revoke:' || g.id))
"""
BILLS_OF_CHUNK = f"""
    SELECT m.contract_id FROM members_member m JOIN ledger_account a ON a.member_id = m.id
    WHERE {IN_CHUNK}
"""
# The key of a bill's grant (its row carries the grant's date).
GRANT_OF_BILL = f"""
    FROM contracts_contract c
    JOIN ledger_entrykey g
      ON g.program = %(program)s AND g.idempotency_key = {GRANT_KEY.format(bill="usage_usagebill")}
    WHERE c.id = usage_usagebill.contract_id
"""
# Paid bills of the chunk's contracts whose grant is in the journal, dated as it was.
MARK_REWARDED = f"""
    UPDATE usage_usagebill SET rewarded_on = (SELECT g.effective_on {GRANT_OF_BILL})
    WHERE paid AND rewarded_on IS NULL AND billing_month <= %(last_billing_month)s
      AND contract_id IN ({BILLS_OF_CHUNK})
      AND EXISTS (SELECT 1 {GRANT_OF_BILL})
"""


@dataclass(frozen=True)
class WestAccrual:
    """The statements and bound values of one usage run, applied chunk by chunk."""

    grants: str
    params: dict[str, Any]

    def chunk(self, cursor: CursorWrapper, first: int, last: int) -> ChunkResult:
        """Revoke arrears, then grant usage and long-term points, for accounts first..last."""
        params = {**self.params, "first_account": first, "last_account": last}
        joins_by_key(cursor)
        pending = f"SELECT g.account_id {ARREARS} {NOT_YET_REVOKED}"
        if is_postgres():
            # A revocation reads a lot and then lowers it: lock its account first, as every
            # writer does, so that a concurrent redemption cannot spend the same points.
            pending = CHUNK_ACCOUNTS_LOCK.format(accounts=pending)
        cursor.execute(pending, params)
        revoked_accounts = sorted({row[0] for row in cursor.fetchall()})
        result = ChunkResult()
        if revoked_accounts:
            revoked = entries_write(cursor, select=REVOCATIONS, params=params, credit=False)
            _add(result, revoked, rename={"usage": "arrears"})
            result.accounts = revoked.accounts
        cursor.execute(MARK_REVOKED, params)
        if not self.grants:
            return result
        # Grants take no account lock: they only add to lots (see EastAccrual.chunk).
        granted = entries_write(
            cursor, select=self.grants, params=params, credit=True, known_accounts=revoked_accounts
        )
        cursor.execute(MARK_REWARDED, params)
        _add(result, granted, rename={})
        result.accounts += granted.accounts - granted.known_accounts
        return result


def _add(result: ChunkResult, written: Written, *, rename: dict[str, str]) -> None:
    for (kind, rule), points in written.points.items():
        result.by_rule[rename.get(rule, rule)] += points
        result.points += points
        result.entries += written.entries[(kind, rule)]


def west_accrual(definition: ProgramDefinition, award_on: dt.date) -> WestAccrual:
    """Build the usage run of a program for the month starting on `award_on`."""
    accrual = definition.accrual
    assert isinstance(accrual, UsageAccrual)
    params: dict[str, Any] = {
        "program": definition.code,
        "award_on": award_on,
        "month_end": award_on - ONE_DAY,
        "expires_on": definition.expiry_policy.expires_on(award_on),
        "period": month_key(award_on),
        "last_billing_month": month_key(add_months(award_on, -1)),
    }
    selects = [_usage_select(accrual, params), _long_term_select(accrual, award_on, params)]
    return WestAccrual(grants=" UNION ALL ".join(filter(None, selects)), params=params)


def _rank(accrual: UsageAccrual, params: dict[str, Any]) -> str:
    """SQL for the contract's rank on the award date, as UsageAccrual.rank decides it."""
    gold = in_list("gold_plan", sorted(accrual.gold_plans), params)
    return f"""
        CASE WHEN c.status = 'CONVERTED' AND c.status_effective_on <= %(award_on)s
               THEN 'HIKARI_WITH'
             WHEN c.status = 'ACTIVE' OR c.status_effective_on > %(award_on)s
               THEN CASE WHEN c.holder_kind = 'INDIVIDUAL' AND c.plan IN {gold}
                         THEN 'GOLD' ELSE 'BRONZE' END
             ELSE 'GENERAL' END
    """


def _usage_select(accrual: UsageAccrual, params: dict[str, Any]) -> str:
    """Usage points: one row per paid, unrewarded bill up to M−1 of an eligible member."""
    units = sorted(accrual.yen_per_point.items())
    if not units:
        return ""
    table = rows_table("unit", ["rank_code", "yen"], units, params)
    return f"""
        SELECT %(program)s, a.id, 'GRANT', b.billed_yen / unit.yen, %(award_on)s, %(expires_on)s,
               'usage', b.billing_month, {GRANT_KEY.format(bill="b")}, '', 0, CAST(NULL AS BIGINT)
        {ACCOUNTS}
        JOIN usage_usagebill b ON b.contract_id = c.id
        JOIN {table} ON unit.rank_code = {_rank(accrual, params)}
        WHERE {IN_CHUNK} AND {MEMBER_AND_CONTRACT}
          AND b.paid AND b.rewarded_on IS NULL AND b.billing_month <= %(last_billing_month)s
          AND m.joined_on <= b.month_ends_on
          AND b.billed_yen / unit.yen > 0
    """


def _long_term_select(accrual: UsageAccrual, award_on: dt.date, params: dict[str, Any]) -> str:
    """Long-term points: services whose 3rd, 5th or 10th anniversary fell in M−1."""
    windows = anniversary_start_windows(accrual, award_on)
    if not windows:
        return ""
    table = rows_table(
        "anniversary", ["years", "points", "first_start", "last_start"], windows, params
    )
    return f"""
        SELECT %(program)s, a.id, 'GRANT', anniversary.points, %(award_on)s, %(expires_on)s,
               'long_term', %(period)s, 'long_term:' || c.customer_id || ':' || anniversary.years,
               '', 0, CAST(NULL AS BIGINT)
        {ACCOUNTS}
        JOIN {table}
          ON c.service_started_on BETWEEN anniversary.first_start AND anniversary.last_start
        WHERE {IN_CHUNK} AND {MEMBER_AND_CONTRACT} AND m.joined_on <= %(month_end)s
    """
