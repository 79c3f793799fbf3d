"""The date windows the accrual jobs bind into their SQL (SPEC §3.2, §3.3), as pure functions.

The jobs evaluate the accrual rules in set-based SQL over ranges of accounts; the dates that SQL
needs (award date, service-year bands, renewal and anniversary windows) are computed here, so
the jobs and the per-contract reference rules (`accrual_reference`) rest on one definition.
"""

import datetime as dt

from memberclub.domain.calendar import add_months, last_day_of_month
from memberclub.domain.program import MonthlyAccrual, UsageAccrual

# The earliest service or discount start the windows below look back to.
EARLIEST_START = dt.date(1900, 1, 1)
ONE_DAY = dt.timedelta(days=1)


def award_date(month: dt.date) -> dt.date:
    """The award date of the run for a month: its first day, whatever day the job runs."""
    return month.replace(day=1)


def month_key(month: dt.date) -> str:
    """A month as `YYYY-MM`, as it appears in periods and idempotency keys."""
    return f"{month.year:04d}-{month.month:02d}"


def renewal_month(accrual: MonthlyAccrual, award_on: dt.date) -> dt.date | None:
    """The renewal month R whose bonus the run of `award_on` grants (R = M − window)."""
    if accrual.renewal_bonus is None:
        return None
    return add_months(award_on, -accrual.renewal_bonus.window_months)


def service_start_bands(day: dt.date, years: int) -> list[tuple[int, dt.date, dt.date]]:
    """For service years 1..years (the last open-ended): the service starts in that year on `day`.

    Each band is (year, first start, last start), both inclusive; no start after `day` is in any.
    """
    bands = []
    for year in range(1, years + 1):
        last = latest_start_with_whole_months(day, 12 * (year - 1))
        if year == years:
            first = EARLIEST_START
        else:
            first = latest_start_with_whole_months(day, 12 * year) + ONE_DAY
        bands.append((year, first, last))
    return bands


def latest_start_with_whole_months(day: dt.date, months: int) -> dt.date:
    """The latest service start that has at least `months` whole months by `day` (SPEC §3.2)."""
    month = add_months(day.replace(day=1), -months)
    return month.replace(day=min(day.day, last_day_of_month(month).day))


def renewal_start_windows(
    accrual: MonthlyAccrual, award_on: dt.date
) -> list[tuple[dt.date, dt.date]]:
    """The discount starts (first, last day) whose term ends in this run's renewal month."""
    renewal = renewal_month(accrual, award_on)
    bonus = accrual.renewal_bonus
    if renewal is None or bonus is None:
        return []
    windows = []
    start = add_months(renewal, -12 * bonus.term_years)
    while start >= EARLIEST_START:
        windows.append((start, last_day_of_month(start)))
        start = add_months(start, -12 * bonus.term_years)
    return windows


def anniversary_start_windows(
    accrual: UsageAccrual, award_on: dt.date
) -> list[tuple[int, int, dt.date, dt.date]]:
    """(years, points, first, last start) of the services whose anniversary falls in M − 1."""
    previous = add_months(award_on, -1)
    windows = []
    for bonus in accrual.long_term:
        start = add_months(previous, -12 * bonus.years)
        windows.append((bonus.years, bonus.points, start, last_day_of_month(start)))
    return windows
