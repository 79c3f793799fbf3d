"""Fiscal years and the expiry dates of points."""

import datetime as dt
from dataclasses import dataclass

from memberclub.domain.calendar import first_of_month


def fiscal_year(day: dt.date, *, start_month: int) -> int:
    """Return the fiscal year (named by the calendar year it starts in) that `day` falls in."""
    return day.year if day.month >= start_month else day.year - 1


def fiscal_year_start(year: int, *, start_month: int) -> dt.date:
    """Return the first day of fiscal year `year`."""
    return dt.date(year, start_month, 1)


def fiscal_year_end(year: int, *, start_month: int) -> dt.date:
    """Return the last day of fiscal year `year`."""
    return first_of_month(year + 1, start_month) - dt.timedelta(days=1)


@dataclass(frozen=True)
class ExpiryPolicy:
    """Points of FY N are usable through the end of FY N+after_fiscal_years, plus some months."""

    after_fiscal_years: int
    plus_months: int
    start_month: int

    def expires_on(self, award_on: dt.date) -> dt.date:
        """Return the last day on which points awarded on `award_on` can be used."""
        year = fiscal_year(award_on, start_month=self.start_month) + self.after_fiscal_years
        first_expired = first_of_month(year + 1, self.start_month + self.plus_months)
        return first_expired - dt.timedelta(days=1)


def next_expiry_on(policy: ExpiryPolicy, *, on: dt.date) -> dt.date:
    """Return the first expiry date of the policy on or after `on` (east: March 31, west: April
    30): every lot expires on the last day of the same month of the year."""
    month = (policy.start_month + policy.plus_months - 2) % 12 + 1
    candidate = first_of_month(on.year, month + 1) - dt.timedelta(days=1)
    if candidate < on:
        candidate = first_of_month(on.year + 1, month + 1) - dt.timedelta(days=1)
    return candidate
