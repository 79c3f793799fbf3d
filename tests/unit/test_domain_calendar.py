"""Fiscal years, expiry dates and service years, around every boundary the spec names."""

import datetime as dt

import pytest

from memberclub.domain.calendar import anniversary, parse_month, service_year, whole_months
from memberclub.domain.fiscal import ExpiryPolicy, fiscal_year, fiscal_year_end

EAST = ExpiryPolicy(after_fiscal_years=2, plus_months=0, start_month=4)
WEST = ExpiryPolicy(after_fiscal_years=2, plus_months=1, start_month=4)
D = dt.date


@pytest.mark.parametrize(
    ("day", "year"),
    [(D(2026, 3, 31), 2025), (D(2026, 4, 1), 2026), (D(2027, 3, 31), 2026), (D(2024, 2, 29), 2023)],
)
def test_the_fiscal_year_starts_on_april_first(day, year):
    assert fiscal_year(day, start_month=4) == year


def test_a_fiscal_year_ends_on_march_31_of_the_next_calendar_year():
    assert fiscal_year_end(2026, start_month=4) == D(2027, 3, 31)


@pytest.mark.parametrize(
    ("award_on", "expires_on"),
    [
        (D(2026, 11, 1), D(2029, 3, 31)),  # the spec's example
        (D(2026, 4, 1), D(2029, 3, 31)),
        (D(2026, 3, 31), D(2028, 3, 31)),  # last day of FY2025
        (D(2024, 2, 29), D(2026, 3, 31)),
    ],
)
def test_east_points_are_usable_through_the_end_of_fy_n_plus_2(award_on, expires_on):
    assert EAST.expires_on(award_on) == expires_on


@pytest.mark.parametrize(
    ("award_on", "expires_on"),
    [
        (D(2026, 11, 1), D(2029, 4, 30)),  # the spec's example
        (D(2026, 4, 1), D(2029, 4, 30)),
        (D(2026, 3, 31), D(2028, 4, 30)),
        (D(2027, 4, 30), D(2030, 4, 30)),
    ],
)
def test_west_points_are_usable_through_april_of_fy_n_plus_3(award_on, expires_on):
    assert WEST.expires_on(award_on) == expires_on


def test_a_fiscal_year_starting_in_another_month_moves_every_boundary():
    calendar_year = ExpiryPolicy(after_fiscal_years=1, plus_months=0, start_month=1)
    assert calendar_year.expires_on(D(2026, 12, 31)) == D(2027, 12, 31)


@pytest.mark.parametrize(
    ("start", "day", "months"),
    [
        (D(2025, 1, 31), D(2025, 2, 28), 0),  # the 31st has not come round in February
        (D(2025, 1, 31), D(2025, 3, 31), 2),
        (D(2025, 1, 29), D(2025, 2, 28), 0),
        (D(2024, 2, 29), D(2025, 2, 28), 11),
        (D(2024, 2, 29), D(2025, 3, 31), 13),
        (D(2025, 4, 1), D(2026, 3, 31), 11),
        (D(2025, 4, 1), D(2026, 4, 30), 12),
    ],
)
def test_whole_months_count_only_months_that_have_fully_passed(start, day, months):
    assert whole_months(start, day) == months


@pytest.mark.parametrize(
    ("start", "day", "year"),
    [
        (D(2025, 4, 1), D(2026, 3, 31), 1),
        (D(2025, 4, 1), D(2026, 4, 30), 2),
        (D(2020, 5, 31), D(2025, 5, 31), 6),
        (D(2020, 5, 31), D(2025, 4, 30), 5),
        (D(2024, 2, 29), D(2025, 2, 28), 1),  # 11 whole months: the 29th never came
    ],
)
def test_the_service_year_is_whole_months_over_twelve_plus_one(start, day, year):
    assert service_year(start, day) == year


def test_an_anniversary_of_february_29_falls_on_february_28_in_other_years():
    assert anniversary(D(2024, 2, 29), 1) == D(2025, 2, 28)
    assert anniversary(D(2024, 2, 29), 4) == D(2028, 2, 29)
    assert anniversary(D(2024, 3, 15), 2) == D(2026, 3, 15)


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "26-01", "2026/01", "", "2026-00"])
def test_a_malformed_month_is_refused(text):
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month(text)


@pytest.mark.parametrize(
    ("policy", "on", "expected"),
    [
        (EAST, D(2026, 12, 2), D(2027, 3, 31)),
        (EAST, D(2027, 3, 31), D(2027, 3, 31)),
        (EAST, D(2027, 4, 1), D(2028, 3, 31)),
        (WEST, D(2026, 12, 2), D(2027, 4, 30)),
        (WEST, D(2026, 4, 15), D(2026, 4, 30)),
        (WEST, D(2026, 5, 1), D(2027, 4, 30)),
        (WEST, D(2027, 4, 30), D(2027, 4, 30)),
    ],
)
def test_the_next_expiry_date_follows_the_program_rule(policy, on, expected):
    assert policy.next_expiry_on(on) == expected
