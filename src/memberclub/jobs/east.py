"""Monthly accrual (SPEC §3.2) as SQL: monthly points by plan and service year, renewal bonus.

Every rate comes from the program version in force on the award date and is bound into the
statement: the points table as the latest service start of each service year, computed by the
domain, so SQL does no calendar arithmetic beyond comparing dates. The accounts of a chunk that
pass the conditions both grants share are read once; each grant then adds its own.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.backends.utils import CursorWrapper

from memberclub.domain.accrual import (
    ONE_DAY,
    month_key,
    renewal_month,
    renewal_start_windows,
    service_start_bands,
)
from memberclub.domain.calendar import last_day_of_month
from memberclub.domain.program import MonthlyAccrual, ProgramDefinition
from memberclub.jobs.runner import ChunkResult
from memberclub.jobs.sql import entries_write, in_list, month_of

RULES = ("monthly", "renewal_bonus")

# Not left by the award date, and the contract ACTIVE on it: an ending effective on or before
# the award date excludes the contract; one after it leaves it ACTIVE on the award date and so
# also on the last day of M−1.
CANDIDATES = """
    SELECT a.id AS account_id, c.customer_id, c.plan, c.service_started_on,
           c.discount_started_on, m.joined_on
    FROM ledger_account a
    JOIN members_member m ON m.id = a.member_id
    JOIN contracts_contract c ON c.id = m.contract_id
    WHERE a.program = %(program)s AND a.id BETWEEN %(first_account)s AND %(last_account)s
      AND (m.left_on IS NULL OR m.left_on > %(award_on)s)
      AND (c.status = 'ACTIVE' OR c.status_effective_on > %(award_on)s)
"""
# The discount is active on the last day of M−1; a code the feed cleared counts until its end.
DISCOUNT_ACTIVE = """
    AND (c.discount = %(discount)s OR (c.discount = '' AND c.discount_ended_on IS NOT NULL))
    AND c.discount_started_on <= %(month_end)s
    AND (c.discount_ended_on IS NULL OR c.discount_ended_on > %(month_end)s)
"""


@dataclass(frozen=True)
class EastAccrual:
    """The statement and bound values of one monthly run, applied chunk by chunk."""

    select: str
    params: dict[str, Any]

    def chunk(self, cursor: CursorWrapper, first: int, last: int) -> ChunkResult:
        """Grant the monthly points and renewal bonuses of the accounts first..last."""
        if not self.select:
            return ChunkResult()
        params = {**self.params, "first_account": first, "last_account": last}
        written = entries_write(cursor, select=self.select, params=params, credit=True)
        result = ChunkResult(accounts=written.accounts)
        for (_, rule), points in written.points.items():
            result.by_rule[rule] += points
            result.points += points
            result.entries += written.entries[("GRANT", rule)]
        return result


def east_accrual(definition: ProgramDefinition, award_on: dt.date) -> EastAccrual:
    """Build the monthly run of a fixed-points program for the month starting on `award_on`."""
    accrual = definition.accrual
    assert isinstance(accrual, MonthlyAccrual)
    month_end = award_on - ONE_DAY
    params: dict[str, Any] = {
        "program": definition.code,
        "award_on": award_on,
        "month_end": month_end,
        "expires_on": definition.expiry_policy.expires_on(award_on),
        "period": month_key(award_on),
        "discount": accrual.required_discount or "",
    }
    grants = [_monthly(accrual, month_end, params), _bonus(accrual, award_on, params)]
    grants = [grant for grant in grants if grant]
    if not grants:
        return EastAccrual(select="", params=params)
    discount = DISCOUNT_ACTIVE if accrual.required_discount else ""
    select = f"""
        WITH candidate AS MATERIALIZED ({CANDIDATES} {discount})
        {" UNION ALL ".join(grants)}
    """
    return EastAccrual(select=select, params=params)


def _grant(points: str, rule: str, key: str) -> str:
    return f"""
        SELECT %(program)s, e.account_id, 'GRANT', {points}, %(award_on)s, %(expires_on)s,
               '{rule}', %(period)s, {key}, '', 0, CAST(NULL AS BIGINT)
    """


def _monthly(accrual: MonthlyAccrual, month_end: dt.date, params: dict[str, Any]) -> str:
    """Monthly points: registered and in service by the end of M−1, by service-year band.

    The points come from a CASE over the plan and the latest service start of each band,
    latest band first, which costs a few comparisons per account rather than a join.
    """
    plans = []
    for number, (plan, table) in enumerate(sorted(accrual.points_by_plan.items())):
        params[f"plan_{number}"] = plan
        bands = []
        for year, _, last in reversed(service_start_bands(month_end, len(table))):
            params[f"plan_{number}_{year}_last"] = last
            params[f"plan_{number}_{year}_points"] = table[year - 1]
            bands.append(
                f"WHEN e.service_started_on <= %(plan_{number}_{year}_last)s "
                f"THEN %(plan_{number}_{year}_points)s"
            )
        plans.append(f"WHEN %(plan_{number})s THEN CASE {' '.join(bands)} END")
    if not plans:
        return ""
    key = "'monthly:' || e.customer_id || ':' || %(period)s"
    return f"""
        {_grant("e.points", "monthly", key)}
        FROM (
            SELECT e.account_id, e.customer_id, CASE e.plan {" ".join(plans)} END AS points
            FROM candidate e WHERE e.joined_on <= %(month_end)s
        ) AS e
        WHERE e.points > 0
    """


def _bonus(accrual: MonthlyAccrual, award_on: dt.date, params: dict[str, Any]) -> str:
    """Renewal bonus: the discount term ended in R = M − window; registered by the end of R."""
    bonus = accrual.renewal_bonus
    renewal = renewal_month(accrual, award_on)
    windows = renewal_start_windows(accrual, award_on)
    # The bonus rewards keeping the discount the accrual requires; without one there is none.
    if bonus is None or renewal is None or not accrual.required_discount or not windows:
        return ""
    params["bonus_points"] = bonus.points
    params["renewal"] = month_key(renewal)
    params["renewal_end"] = last_day_of_month(renewal)
    params["renewal_month_number"] = renewal.month
    plans = in_list("bonus_plan", sorted(bonus.plans), params)
    terms = []
    for number, (first, last) in enumerate(windows):
        params[f"term_{number}_first"] = first
        params[f"term_{number}_last"] = last
        terms.append(
            f"e.discount_started_on BETWEEN %(term_{number}_first)s AND %(term_{number}_last)s"
        )
    key = "'renewal_bonus:' || e.customer_id || ':' || %(renewal)s"
    # Every term of the discount ends in the month it started: check the month first.
    return f"""
        {_grant("%(bonus_points)s", "renewal_bonus", key)}
        FROM candidate e
        WHERE e.joined_on <= %(renewal_end)s AND e.plan IN {plans}
          AND {month_of("e.discount_started_on")} = %(renewal_month_number)s
          AND ({" OR ".join(terms)})
    """
