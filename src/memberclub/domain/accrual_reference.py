"""The accrual rules of SPEC §3.2 (east) and §3.3 (west) for one contract and one month.

A reference, not a path any job takes: the batch jobs (`memberclub.jobs.east`, `.west`)
evaluate the same rules in SQL over ranges of accounts, and the tests compare them with these
plain per-contract readings of the spec (tests/unit/test_accrual_rules.py,
tests/integration/test_simulation.py). The date windows both share are in `accrual`.
"""

import datetime as dt
from dataclasses import dataclass

from memberclub.domain.accrual import ONE_DAY, award_date, renewal_month
from memberclub.domain.calendar import add_months, anniversary, last_day_of_month, service_year
from memberclub.domain.program import MonthlyAccrual, UsageAccrual

ACTIVE = "ACTIVE"
CANCELED = "CANCELED"


@dataclass(frozen=True)
class ContractState:
    """What accrual reads of a contract: its current row as the contract feed left it."""

    plan: str
    holder_kind: str
    service_started_on: dt.date
    status: str
    status_effective_on: dt.date | None = None
    discount: str = ""
    discount_started_on: dt.date | None = None
    discount_ended_on: dt.date | None = None


@dataclass(frozen=True)
class Membership:
    """When a member registered and, once they left, the first day they were no longer one."""

    joined_on: dt.date
    left_on: dt.date | None = None


def status_on(contract: ContractState, day: dt.date) -> str:
    """The contract's status on `day`: an ending takes effect on its effective date."""
    ended = contract.status != ACTIVE and contract.status_effective_on is not None
    if ended and contract.status_effective_on is not None and contract.status_effective_on <= day:
        return contract.status
    return ACTIVE


def is_member_on(membership: Membership, day: dt.date) -> bool:
    """True when the member has not left by `day` (left_on is the first day without membership)."""
    return membership.left_on is None or membership.left_on > day


def discount_active_on(contract: ContractState, day: dt.date, discount: str) -> bool:
    """True when `discount` applies on `day`; an emptied code with an end date means it ended."""
    named = contract.discount == discount or (
        contract.discount == "" and contract.discount_ended_on is not None
    )
    started = contract.discount_started_on
    ended = contract.discount_ended_on
    return named and started is not None and started <= day and (ended is None or ended > day)


# --- east (§3.2) -------------------------------------------------------------------------------


def monthly_points(
    accrual: MonthlyAccrual, contract: ContractState, membership: Membership, award_on: dt.date
) -> int:
    """The monthly points a contract earns with the run whose award date is `award_on`, or 0."""
    month_end = award_on - ONE_DAY
    if membership.joined_on > month_end or not is_member_on(membership, award_on):
        return 0
    if contract.service_started_on > month_end:
        return 0
    if status_on(contract, month_end) != ACTIVE or status_on(contract, award_on) != ACTIVE:
        return 0
    required = accrual.required_discount
    if required and not discount_active_on(contract, month_end, required):
        return 0
    return accrual.monthly_points(
        contract.plan, service_year(contract.service_started_on, month_end)
    )


def renewal_term_end(
    accrual: MonthlyAccrual, contract: ContractState, award_on: dt.date
) -> dt.date | None:
    """The end of the discount term that fell in the renewal month of this run, if one did."""
    renewal = renewal_month(accrual, award_on)
    bonus = accrual.renewal_bonus
    started = contract.discount_started_on
    if renewal is None or bonus is None or started is None:
        return None
    years = renewal.year - started.year
    # An anniversary keeps its month (February 29 falls on February 28), so the month decides.
    if started.month != renewal.month or years < bonus.term_years or years % bonus.term_years:
        return None
    return anniversary(started, years)


def renewal_bonus_points(
    accrual: MonthlyAccrual, contract: ContractState, membership: Membership, award_on: dt.date
) -> int:
    """The renewal bonus the run of `award_on` grants, or 0 (once per term: the caller's key)."""
    bonus = accrual.renewal_bonus
    renewal = renewal_month(accrual, award_on)
    # The bonus rewards keeping the discount the accrual requires; without one there is none.
    discount = accrual.required_discount
    if bonus is None or renewal is None or not discount or contract.plan not in bonus.plans:
        return 0
    if renewal_term_end(accrual, contract, award_on) is None:
        return 0
    if membership.joined_on > last_day_of_month(renewal) or not is_member_on(membership, award_on):
        return 0
    if status_on(contract, award_on) != ACTIVE:
        return 0
    if not discount_active_on(contract, award_on - ONE_DAY, discount):
        return 0
    return bonus.points


# --- west (§3.3) -------------------------------------------------------------------------------


def rank_on(accrual: UsageAccrual, contract: ContractState, day: dt.date) -> str:
    """The contract's rank on `day`."""
    return accrual.rank(
        plan=contract.plan, holder_kind=contract.holder_kind, status=status_on(contract, day)
    )


def usage_points(
    accrual: UsageAccrual,
    contract: ContractState,
    membership: Membership,
    *,
    billing_month: dt.date,
    billed_yen: int,
    award_on: dt.date,
) -> int:
    """Points for a paid, not yet rewarded bill of `billing_month`, in the run of `award_on`."""
    if billing_month >= award_date(award_on):
        return 0
    if membership.joined_on > last_day_of_month(billing_month):
        return 0
    if not is_member_on(membership, award_on) or status_on(contract, award_on) == CANCELED:
        return 0
    unit = accrual.yen_per_point.get(rank_on(accrual, contract, award_on))
    return billed_yen // unit if unit else 0


def long_term_points(
    accrual: UsageAccrual, contract: ContractState, membership: Membership, award_on: dt.date
) -> list[tuple[int, int]]:
    """(years, points) of every service anniversary in the month before `award_on` that pays."""
    if membership.joined_on > award_on - ONE_DAY or not is_member_on(membership, award_on):
        return []
    if status_on(contract, award_on) == CANCELED:
        return []
    previous = add_months(award_on, -1)
    due = []
    for bonus in accrual.long_term:
        day = anniversary(contract.service_started_on, bonus.years)
        if (day.year, day.month) == (previous.year, previous.month):
            due.append((bonus.years, bonus.points))
    return due
