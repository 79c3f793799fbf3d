"""The end of a program (SPEC §3.4): its dates, how they are checked and what each allows."""

import datetime as dt
from dataclasses import dataclass

from memberclub.domain.errors import Refused


class ProgramEnded(Refused):
    """The program has ended: no more redemptions."""

    code = "program_ended"


class RegistrationClosed(Refused):
    """Registration for the program has closed."""

    code = "registration_closed"


class EndRefused(Refused):
    """A program end that cannot be scheduled or withdrawn; `code` says why, for translation."""

    def __init__(self, message: str, *, code: str, notice_days: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.notice_days = notice_days


@dataclass(frozen=True)
class EndDates:
    """An announced program end: D0, D1, the last month that earns points (its first day), D2."""

    announce_on: dt.date
    registration_closes_on: dt.date
    last_accrual_month: dt.date
    ends_on: dt.date

    def check(self, *, notice_days: int) -> None:
        """Refuse dates out of order, or an end date fewer than `notice_days` after D0."""
        if self.last_accrual_month.day != 1:
            raise EndRefused("the last accrual month is named by its first day", code="month")
        if not self.announce_on <= self.registration_closes_on <= self.ends_on:
            raise EndRefused(
                "the dates are out of order: announcement <= registration close <= end date",
                code="out_of_order",
            )
        if self.last_accrual_month >= self.ends_on:
            raise EndRefused(
                "the dates are out of order: the last accrual month starts after the end",
                code="out_of_order",
            )
        if self.ends_on < self.announce_on + dt.timedelta(days=notice_days):
            raise EndRefused(
                f"the end date must be at least {notice_days} days after the announcement "
                f"(the program's notice days): {self.ends_on} is "
                f"{(self.ends_on - self.announce_on).days} days after {self.announce_on}",
                code="short_notice",
                notice_days=notice_days,
            )

    def announced(self, on: dt.date) -> bool:
        """True from the announcement date on: banner and end notice."""
        return on >= self.announce_on

    def registration_open(self, on: dt.date) -> bool:
        """True before the closing date."""
        return on < self.registration_closes_on

    def month_earns(self, month: dt.date) -> bool:
        """True for accrual months up to the last one."""
        return month <= self.last_accrual_month

    def redemption_open(self, on: dt.date) -> bool:
        """True before the end date."""
        return on < self.ends_on

    def reminder_on(self, *, reminder_days: int) -> dt.date | None:
        """The day of the reminder, or None when it would fall on or before the announcement."""
        day = self.ends_on - dt.timedelta(days=reminder_days)
        return day if day > self.announce_on else None
