"""Monthly accrual (SPEC §3.2) as SQL: monthly points by plan and service year, renewal bonus.

Every rate comes from the program version in force on the award date and is bound into the
statement: the points table as the latest service start of each service year, computed by the
domain, so SQL does no calendar arithmetic beyond comparing dates. One pass over the chunk's
accounts yields both grants: each account is paired with the rules (`monthly`,
`renewal_bonus`) and a row is kept for every rule whose conditions it meets.
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
from memberclub.jobs.sql import entries_write, in_list, joins_by_key, month_of

RULES = ("monthly", "renewal_bonus")

GRANTS = """
    SELECT %(program)s, e.account_id, 'GRANT', e.points, %(award_on)s, %(expires_on)s, e.rule,
           %(period)s, e.rule || ':' || e.customer_id || ':' || e.key_month, '', 0,
           CAST(NULL AS BIGINT)
    FROM (
        SELECT a.id AS account_id, c.customer_id, r.rule,
               CASE r.rule {points} END AS points,
               CASE r.rule {key_months} END AS key_month
        FROM ledger_account a
        JOIN members_member m ON m.id = a.member_id
        JOIN contracts_contract c ON c.id = m.contract_id
        CROSS JOIN ({rules}) AS r
        WHERE a.program = %(program)s AND a.id BETWEEN %(first_account)s AND %(last_account)s
          {common}
          AND ({conditions})
    ) AS e
    WHERE e.points > 0
"""
# What both grants need: not left by the award date, and the contract ACTIVE on it (an ending
# effective on or before the award date excludes it; one after it leaves the contract ACTIVE on
# the award date and so also on the last day of M−1).
NOT_LEFT_AND_ACTIVE = """
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
class Rule:
    """One grant of the run: when an account earns it, how many points, its key's month."""

    name: str
    condition: str
    points: str
    key_month: str


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
        joins_by_key(cursor)
        # The one writer that takes no account lock (docs/decisions.md, lock order): grants
        # only add to a lot, which commutes with any other writer's change of the same row and
        # cannot make a draw taken from it too big; each account gets one lot from the run, so
        # no two writers wait for each other's lots. West's grants are the same.
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
    rules = [
        rule
        for rule in (_monthly(accrual, month_end, params), _bonus(accrual, award_on, params))
        if rule is not None
    ]
    if not rules:
        return EastAccrual(select="", params=params)
    select = GRANTS.format(
        points=" ".join(f"WHEN '{rule.name}' THEN {rule.points}" for rule in rules),
        key_months=" ".join(f"WHEN '{rule.name}' THEN {rule.key_month}" for rule in rules),
        rules=" UNION ALL ".join(f"SELECT '{rule.name}' AS rule" for rule in rules),
        common=NOT_LEFT_AND_ACTIVE + (DISCOUNT_ACTIVE if accrual.required_discount else ""),
        conditions=" OR ".join(f"(r.rule = '{rule.name}' AND {rule.condition})" for rule in rules),
    )
    return EastAccrual(select=select, params=params)


def _monthly(accrual: MonthlyAccrual, month_end: dt.date, params: dict[str, Any]) -> Rule | None:
    """Monthly points: registered and in service by the end of M−1, by service-year band.

    The points come from a CASE over the plan and the latest service start of each band,
    latest band first: a few comparisons per account rather than a join.
    """
    plans = []
    for number, (plan, table) in enumerate(sorted(accrual.points_by_plan.items())):
        params[f"plan_{number}"] = plan
        bands = []
        for year, _, last in reversed(service_start_bands(month_end, len(table))):
            params[f"plan_{number}_{year}_last"] = last
            params[f"plan_{number}_{year}_points"] = table[year - 1]
            bands.append(
                f"WHEN c.service_started_on <= %(plan_{number}_{year}_last)s "
                f"THEN %(plan_{number}_{year}_points)s"
            )
        plans.append(f"WHEN %(plan_{number})s THEN CASE {' '.join(bands)} END")
    if not plans:
        return None
    return Rule(
        name="monthly",
        condition="m.joined_on <= %(month_end)s",
        points=f"CASE c.plan {' '.join(plans)} END",
        key_month="%(period)s",
    )


def _bonus(accrual: MonthlyAccrual, award_on: dt.date, params: dict[str, Any]) -> Rule | None:
    """Renewal bonus: the discount term ended in R = M − window; registered by the end of R."""
    bonus = accrual.renewal_bonus
    renewal = renewal_month(accrual, award_on)
    windows = renewal_start_windows(accrual, award_on)
    # The bonus rewards keeping the discount the accrual requires; without one there is none.
    if bonus is None or renewal is None or not accrual.required_discount or not windows:
        return None
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
            f"c.discount_started_on BETWEEN %(term_{number}_first)s AND %(term_{number}_last)s"
        )
    # Every term of the discount ends in the month it started: check the month first.
    condition = f"""
        m.joined_on <= %(renewal_end)s AND c.plan IN {plans}
        AND {month_of("c.discount_started_on")} = %(renewal_month_number)s
        AND ({" OR ".join(terms)})
    """
    return Rule("renewal_bonus", condition, "%(bonus_points)s", "%(renewal)s")
