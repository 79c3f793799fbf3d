"""Calendar arithmetic on whole months and anniversaries."""

import calendar
import datetime as dt


def last_day_of_month(day: dt.date) -> dt.date:
    """Return the last day of the month that `day` falls in."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def first_of_month(year: int, month: int) -> dt.date:
    """Return the first day of a month, normalising months outside 1..12."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1)


def add_months(month_start: dt.date, months: int) -> dt.date:
    """Return the first day of the month `months` after the month of `month_start`."""
    return first_of_month(month_start.year, month_start.month + months)


def parse_month(text: str) -> dt.date:
    """Parse `YYYY-MM` into the first day of that month."""
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(text)
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise ValueError(f"not a month (YYYY-MM): {text!r}") from None


def anniversary(start: dt.date, years: int) -> dt.date:
    """Return the date `years` after `start`; February 29 falls on February 28 in other years."""
    year = start.year + years
    if start.month == 2 and start.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return start.replace(year=year)


def whole_months(start: dt.date, day: dt.date) -> int:
    """Count whole months from `start` to `day` (SPEC §3.2)."""
    months = (day.year - start.year) * 12 + (day.month - start.month)
    return months - (1 if day.day < start.day else 0)


def service_year(started_on: dt.date, day: dt.date) -> int:
    """Return the service year (1-based) of a contract started on `started_on`, on `day`."""
    return whole_months(started_on, day) // 12 + 1
