"""The dates of a program end."""

import datetime as dt

import pytest

from memberclub.domain.errors import Refused
from memberclub.domain.program_end import EndDates

D = dt.date
# The real East club: sign-ups closed, last grant November 2023, exchanges until 2025-03-31.
REAL_EAST = EndDates(D(2023, 10, 1), D(2023, 12, 1), D(2023, 11, 1), D(2025, 3, 31))


def test_the_real_east_end_is_allowed_and_tells_what_each_day_allows():
    REAL_EAST.check(notice_days=30)

    assert REAL_EAST.registration_open(D(2023, 11, 30))
    assert not REAL_EAST.registration_open(D(2023, 12, 1))
    assert REAL_EAST.month_earns(D(2023, 11, 1)) and not REAL_EAST.month_earns(D(2023, 12, 1))
    assert REAL_EAST.redemption_open(D(2025, 3, 30)) and not REAL_EAST.redemption_open(
        D(2025, 3, 31)
    )
    assert REAL_EAST.reminder_on(reminder_days=30) == D(2025, 3, 1)


@pytest.mark.parametrize(
    ("dates", "words"),
    [
        (EndDates(D(2023, 10, 1), D(2023, 10, 2), D(2023, 10, 1), D(2023, 10, 30)), "at least 30"),
        (EndDates(D(2023, 10, 1), D(2023, 9, 30), D(2023, 10, 1), D(2024, 1, 1)), "out of order"),
        (EndDates(D(2023, 10, 1), D(2024, 2, 1), D(2023, 10, 1), D(2024, 1, 1)), "out of order"),
        (EndDates(D(2023, 10, 1), D(2023, 11, 1), D(2024, 1, 1), D(2024, 1, 1)), "out of order"),
    ],
)
def test_short_notice_and_dates_out_of_order_are_refused(dates, words):
    with pytest.raises(Refused, match=words):
        dates.check(notice_days=30)


def test_no_reminder_when_it_would_come_before_the_announcement():
    dates = EndDates(D(2023, 10, 1), D(2023, 10, 1), D(2023, 10, 1), D(2023, 10, 31))

    assert dates.reminder_on(reminder_days=30) is None
