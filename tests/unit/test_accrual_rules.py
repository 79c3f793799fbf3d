"""The accrual rules of SPEC §3.2 and §3.3, one contract and one month at a time."""

import datetime as dt
import itertools
from dataclasses import replace
from pathlib import Path

import pytest

from memberclub.domain.accrual import (
    anniversary_start_windows,
    renewal_start_windows,
    service_start_bands,
)
from memberclub.domain.accrual_reference import (
    ContractState,
    Membership,
    long_term_points,
    monthly_points,
    rank_on,
    renewal_bonus_points,
    renewal_term_end,
    usage_points,
)
from memberclub.domain.calendar import service_year
from memberclub.domain.program import MonthlyAccrual, UsageAccrual, parse_program

PROGRAMS = Path(__file__).resolve().parents[2] / "programs"
D = dt.date


def _accrual(name: str) -> MonthlyAccrual | UsageAccrual:
    return parse_program((PROGRAMS / f"{name}.toml").read_text(encoding="utf-8")).accrual


def _east() -> MonthlyAccrual:
    accrual = _accrual("east")
    assert isinstance(accrual, MonthlyAccrual)
    return accrual


def _west() -> UsageAccrual:
    accrual = _accrual("west")
    assert isinstance(accrual, UsageAccrual)
    return accrual


EAST = _east()
WEST = _west()

FAMILY = ContractState(
    plan="FAMILY",
    holder_kind="INDIVIDUAL",
    service_started_on=D(2020, 4, 1),
    status="ACTIVE",
    discount="NINEN_WARI",
    discount_started_on=D(2020, 4, 1),
)
MEMBER = Membership(joined_on=D(2021, 1, 1))
NOV_2026 = D(2026, 11, 1)


def _monthly(contract=FAMILY, member=MEMBER, award_on=NOV_2026) -> int:
    return monthly_points(EAST, contract, member, award_on)


# --- east monthly points ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "started", "points"),
    [
        ("FAMILY", D(2026, 4, 1), 100),  # year 1 on 2026-10-31
        ("FAMILY", D(2025, 10, 31), 200),  # 12 whole months on 2026-10-31: year 2
        ("FAMILY", D(2025, 11, 1), 100),  # 11 whole months
        ("FAMILY", D(2023, 11, 1), 300),
        ("FAMILY", D(2022, 11, 1), 400),  # 47 whole months
        ("FAMILY", D(2021, 10, 31), 500),
        ("FAMILY", D(2001, 1, 1), 500),  # the last value repeats
        ("MANSION", D(2024, 10, 1), 150),
        ("LIGHT", D(2010, 10, 1), 50),
        ("CROSS", D(2020, 1, 1), 0),  # a plan without a table earns nothing
    ],
)
def test_monthly_points_follow_the_plan_and_the_service_year(plan, started, points):
    contract = replace(FAMILY, plan=plan, service_started_on=started, discount_started_on=started)

    assert _monthly(contract, Membership(joined_on=started)) == points


@pytest.mark.parametrize(
    ("started", "award_on", "points"),
    [
        (D(2026, 1, 31), D(2027, 2, 1), 200),  # 12 whole months on 2027-01-31
        (D(2026, 1, 30), D(2027, 1, 1), 100),  # 11 whole months on 2026-12-31
        (D(2026, 3, 31), D(2027, 3, 1), 100),  # on 2027-02-28 only 10 whole months
        (D(2026, 2, 28), D(2027, 3, 1), 200),  # 12 whole months on 2027-02-28
        (D(2025, 3, 29), D(2026, 3, 1), 100),  # 2026-02-28 is before the 29th: 10 months
        (D(2025, 3, 30), D(2026, 4, 1), 200),  # 12 whole months on 2026-03-31
        (D(2025, 3, 31), D(2026, 3, 1), 100),
        (D(2024, 2, 29), D(2025, 3, 1), 100),  # leap day: on 2025-02-28 only 11 whole months
        (D(2024, 2, 29), D(2025, 4, 1), 200),
        (D(2024, 2, 29), D(2027, 3, 1), 300),  # 35 whole months on 2027-02-28
        (D(2024, 2, 29), D(2028, 3, 1), 500),  # 48 whole months on 2028-02-29
    ],
)
def test_service_years_turn_on_whole_months_at_the_end_of_february_and_the_31st(
    started, award_on, points
):
    contract = replace(FAMILY, service_started_on=started, discount_started_on=started)
    month_end = award_on - dt.timedelta(days=1)
    year = service_year(started, month_end)

    assert _monthly(contract, Membership(joined_on=started), award_on) == points
    assert points == EAST.monthly_points("FAMILY", year)


def test_the_grant_for_m_needs_registration_by_the_last_day_of_m_minus_1():
    assert _monthly(member=Membership(joined_on=D(2026, 10, 31))) == 500
    assert _monthly(member=Membership(joined_on=D(2026, 11, 1))) == 0


def test_a_member_who_has_left_earns_nothing():
    assert _monthly(member=replace(MEMBER, left_on=D(2026, 11, 1))) == 0
    assert _monthly(member=replace(MEMBER, left_on=D(2026, 10, 15))) == 0
    # Leaving later than the award date does not undo this month.
    assert _monthly(member=replace(MEMBER, left_on=D(2026, 11, 2))) == 500


def test_service_must_have_started_by_the_last_day_of_m_minus_1():
    member = Membership(joined_on=D(2026, 10, 1))

    assert _monthly(replace(FAMILY, service_started_on=D(2026, 10, 31)), member) == 100
    assert _monthly(replace(FAMILY, service_started_on=D(2026, 11, 1)), member) == 0


@pytest.mark.parametrize(
    ("status", "effective_on", "points"),
    [
        ("CANCELED", D(2026, 11, 1), 0),  # effective on the award date
        ("CANCELED", D(2026, 10, 31), 0),
        ("CONVERTED", D(2026, 11, 1), 0),
        ("CANCELED", D(2026, 11, 2), 500),  # still ACTIVE on the award date
        ("CONVERTED", D(2026, 12, 1), 500),
    ],
)
def test_the_contract_must_be_active_at_month_end_and_on_the_award_date(
    status, effective_on, points
):
    contract = replace(FAMILY, status=status, status_effective_on=effective_on)

    assert _monthly(contract) == points


@pytest.mark.parametrize(
    ("started", "ended", "points"),
    [
        (D(2020, 4, 1), None, 500),
        (D(2020, 4, 1), D(2026, 10, 31), 0),  # ended on the last day of M−1: gone that day
        (D(2020, 4, 1), D(2026, 11, 1), 500),  # ended on the first of M: active on M−1's last day
        (D(2026, 10, 31), None, 500),  # started on the last day of M−1
        (D(2026, 11, 1), None, 0),
    ],
)
def test_the_two_year_discount_must_be_active_on_the_last_day_of_m_minus_1(started, ended, points):
    contract = replace(FAMILY, discount_started_on=started, discount_ended_on=ended)

    assert _monthly(contract) == points


def test_no_discount_means_no_monthly_points():
    contract = replace(FAMILY, discount="", discount_started_on=None)

    assert _monthly(contract) == 0


def test_a_discount_code_cleared_by_the_feed_still_counts_until_its_end_date():
    contract = replace(FAMILY, discount="", discount_ended_on=D(2026, 11, 1))

    assert _monthly(contract) == 500
    assert _monthly(contract, award_on=D(2026, 12, 1)) == 0


# --- east renewal bonus ---------------------------------------------------------------------------


JUL_2026 = D(2026, 7, 1)
OCT_2026 = D(2026, 10, 1)


def _bonus(contract=FAMILY, member=MEMBER, award_on=JUL_2026) -> int:
    return renewal_bonus_points(EAST, contract, member, award_on)


def test_the_renewal_bonus_comes_with_the_run_three_months_after_the_term_ends():
    # Discount from 2020-04-01: terms end in April 2022, 2024, 2026; window April–June 2026.
    assert renewal_term_end(EAST, FAMILY, D(2026, 7, 1)) == D(2026, 4, 1)
    assert _bonus(award_on=D(2026, 7, 1)) == 1000
    assert _bonus(award_on=D(2026, 6, 1)) == 0
    assert _bonus(award_on=D(2026, 8, 1)) == 0
    assert _bonus(award_on=D(2025, 7, 1)) == 0  # an odd year is mid-term
    assert _bonus(award_on=D(2022, 7, 1)) == 1000
    assert _bonus(award_on=D(2020, 7, 1)) == 0  # the term has only just begun


def test_a_renewal_window_may_cross_the_fiscal_year():
    contract = replace(FAMILY, discount_started_on=D(2025, 2, 10))

    # The term ends in February 2027; window February–April; granted with May's run.
    assert renewal_term_end(EAST, contract, D(2027, 5, 1)) == D(2027, 2, 10)
    assert _bonus(contract, award_on=D(2027, 5, 1)) == 1000


def test_a_leap_day_discount_renews_in_february():
    contract = replace(FAMILY, discount_started_on=D(2024, 2, 29))

    assert renewal_term_end(EAST, contract, D(2026, 5, 1)) == D(2026, 2, 28)
    assert _bonus(contract, award_on=D(2026, 5, 1)) == 1000


@pytest.mark.parametrize(
    ("change", "points"),
    [
        ({}, 1000),
        ({"plan": "MANSION"}, 0),  # FAMILY only
        ({"discount_ended_on": D(2026, 6, 30)}, 0),  # not active on the last day of R+2
        ({"discount_ended_on": D(2026, 7, 1)}, 1000),
        ({"status": "CANCELED", "status_effective_on": D(2026, 7, 1)}, 0),
        ({"status": "CANCELED", "status_effective_on": D(2026, 7, 2)}, 1000),
    ],
)
def test_the_renewal_bonus_conditions(change, points):
    assert _bonus(replace(FAMILY, **change)) == points


def test_the_renewal_bonus_needs_registration_by_the_last_day_of_r():
    assert _bonus(member=Membership(joined_on=D(2026, 4, 30))) == 1000
    assert _bonus(member=Membership(joined_on=D(2026, 5, 1))) == 0


# --- west usage points ----------------------------------------------------------------------------

WEST_GOLD = ContractState(
    plan="FAMILY", holder_kind="INDIVIDUAL", service_started_on=D(2020, 4, 1), status="ACTIVE"
)


def _usage(contract=WEST_GOLD, member=MEMBER, billing_month=OCT_2026, yen=5_050) -> int:
    return usage_points(
        WEST, contract, member, billing_month=billing_month, billed_yen=yen, award_on=NOV_2026
    )


@pytest.mark.parametrize(
    ("change", "rank"),
    [
        ({}, "GOLD"),
        ({"plan": "CROSS"}, "GOLD"),
        ({"plan": "BASIC"}, "BRONZE"),
        ({"holder_kind": "CORPORATE"}, "BRONZE"),
        ({"status": "CONVERTED", "status_effective_on": D(2026, 11, 1)}, "HIKARI_WITH"),
        ({"status": "CONVERTED", "status_effective_on": D(2026, 11, 2)}, "GOLD"),
        ({"status": "CANCELED", "status_effective_on": D(2026, 10, 1)}, "GENERAL"),
    ],
)
def test_the_rank_on_the_award_date(change, rank):
    assert rank_on(WEST, replace(WEST_GOLD, **change), NOV_2026) == rank


@pytest.mark.parametrize(
    ("change", "points"),
    [
        ({}, 50),  # GOLD: 100 yen a point, rounded down
        ({"plan": "BASIC"}, 25),  # BRONZE: 200 yen
        ({"status": "CONVERTED", "status_effective_on": D(2026, 5, 1)}, 25),  # HIKARI_WITH
        ({"status": "CANCELED", "status_effective_on": D(2026, 11, 1)}, 0),
        ({"status": "CANCELED", "status_effective_on": D(2026, 11, 2)}, 50),
    ],
)
def test_usage_points_by_rank(change, points):
    assert _usage(replace(WEST_GOLD, **change)) == points


def test_any_earlier_billing_month_counts_but_not_the_current_one():
    assert _usage(billing_month=D(2026, 3, 1)) == 50
    assert _usage(billing_month=D(2026, 11, 1)) == 0


def test_the_member_must_have_registered_by_the_end_of_the_billing_month():
    assert _usage(member=Membership(joined_on=D(2026, 10, 31))) == 50
    assert _usage(member=Membership(joined_on=D(2026, 11, 1))) == 0
    assert _usage(member=Membership(joined_on=D(2026, 10, 1)), billing_month=D(2026, 9, 1)) == 0


def test_a_member_who_has_left_earns_no_usage_points():
    assert _usage(member=replace(MEMBER, left_on=D(2026, 11, 1))) == 0


# --- west long-term points ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "award_on", "due"),
    [
        (D(2023, 10, 15), D(2026, 11, 1), [(3, 1000)]),
        (D(2021, 10, 1), D(2026, 11, 1), [(5, 2000)]),
        (D(2016, 10, 31), D(2026, 11, 1), [(10, 3000)]),
        (D(2023, 11, 1), D(2026, 11, 1), []),  # the anniversary is in M, not M−1
        (D(2020, 2, 29), D(2023, 3, 1), [(3, 1000)]),  # falls on 2023-02-28
        (D(2022, 10, 1), D(2026, 11, 1), []),  # four years earn nothing
    ],
)
def test_long_term_points_on_the_anniversary_in_the_month_before(started, award_on, due):
    contract = replace(WEST_GOLD, service_started_on=started)

    assert long_term_points(WEST, contract, Membership(joined_on=started), award_on) == due


def test_long_term_points_need_registration_by_the_end_of_m_minus_1_and_no_cancellation():
    contract = replace(WEST_GOLD, service_started_on=D(2023, 10, 15))
    converted = replace(contract, status="CONVERTED", status_effective_on=D(2025, 1, 1))
    canceled = replace(contract, status="CANCELED", status_effective_on=D(2026, 11, 1))

    assert long_term_points(WEST, contract, Membership(joined_on=D(2026, 11, 1)), NOV_2026) == []
    assert long_term_points(WEST, converted, MEMBER, NOV_2026) == [(3, 1000)]
    assert long_term_points(WEST, canceled, MEMBER, NOV_2026) == []


# --- the windows the SQL binds agree with the rules ---------------------------------------------

MONTH_ENDS = [D(2026, 10, 31), D(2027, 2, 28), D(2028, 2, 29), D(2027, 4, 30), D(2026, 12, 31)]


@pytest.mark.parametrize("month_end", MONTH_ENDS)
def test_service_start_bands_match_the_service_year_of_every_start(month_end):
    bands = service_start_bands(month_end, 5)
    start = month_end - dt.timedelta(days=6 * 366)

    while start <= month_end:
        years = [year for year, first, last in bands if first <= start <= last]
        assert years == [min(service_year(start, month_end), 5)], start
        start += dt.timedelta(days=1)


@pytest.mark.parametrize("award_on", [D(2026, 5, 1), D(2027, 3, 1), D(2028, 5, 1)])
def test_renewal_start_windows_hold_exactly_the_starts_whose_term_ends_in_r(award_on):
    windows = renewal_start_windows(EAST, award_on)
    start = D(2015, 1, 1)

    while start < award_on:
        contract = replace(FAMILY, discount_started_on=start)
        in_window = any(first <= start <= last for first, last in windows)
        assert in_window == (renewal_term_end(EAST, contract, award_on) is not None), start
        start += dt.timedelta(days=1)


@pytest.mark.parametrize("award_on", [D(2026, 11, 1), D(2027, 3, 1), D(2028, 3, 1)])
def test_anniversary_windows_hold_exactly_the_starts_that_earn_long_term_points(award_on):
    windows = anniversary_start_windows(WEST, award_on)
    for start in (D(2014, 1, 1) + dt.timedelta(days=n) for n in itertools.count()):
        if start >= award_on:
            break
        contract = replace(WEST_GOLD, service_started_on=start)
        due = long_term_points(WEST, contract, Membership(joined_on=start), award_on)
        expected = [
            (years, points) for years, points, first, last in windows if first <= start <= last
        ]
        assert due == expected, start
