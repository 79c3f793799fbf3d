"""Scheduling and withdrawing a program end, and the checks the ways in and jobs call."""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from memberclub.domain.errors import Refused
from memberclub.domain.program_end import (
    EndDates,
    EndRefused,
    ProgramEnded,
    RegistrationClosed,
)
from memberclub.programs.models import ProgramEnd
from memberclub.programs.selectors import program_codes, program_on


def program_end_in_force(*, program: str) -> ProgramEnd | None:
    """The scheduled (not withdrawn) end of a program, if any."""
    return ProgramEnd.objects.filter(program=program, canceled_on__isnull=True).first()


def end_dates(end: ProgramEnd) -> EndDates:
    """The dates of a stored end."""
    return EndDates(
        announce_on=end.announce_on,
        registration_closes_on=end.registration_closes_on,
        last_accrual_month=end.last_accrual_month,
        ends_on=end.ends_on,
    )


def program_end_schedule(*, program: str, dates: EndDates, by: str) -> ProgramEnd:
    """Store a program end after checking its dates against the program's notice days."""
    if program not in program_codes():
        raise Refused(f"program {program!r} is not loaded")
    notices = program_on(program=program, on=dates.announce_on).notices
    dates.check(notice_days=notices.program_end_notice_days)
    try:
        with transaction.atomic():
            if program_end_in_force(program=program) is not None:
                raise EndRefused(
                    f"an end of {program} is already scheduled; cancel it first",
                    code="already_scheduled",
                )
            return ProgramEnd.objects.create(
                program=program,
                announce_on=dates.announce_on,
                registration_closes_on=dates.registration_closes_on,
                last_accrual_month=dates.last_accrual_month,
                ends_on=dates.ends_on,
                created_by=by[:150],
            )
    except IntegrityError:
        # Another operator scheduled one at the same moment.
        raise EndRefused(
            f"an end of {program} is already scheduled; cancel it first", code="already_scheduled"
        ) from None


def program_end_withdraw(*, program: str, on: dt.date) -> ProgramEnd:
    """Withdraw the scheduled end of a program before its end date (and before its close)."""
    with transaction.atomic():
        end = (
            ProgramEnd.objects.select_for_update()
            .filter(program=program, canceled_on__isnull=True)
            .first()
        )
        if end is None:
            raise EndRefused(f"no end of {program!r} is scheduled", code="none_scheduled")
        if on >= end.ends_on or end.closed_at is not None:
            raise EndRefused(
                f"the program ended on {end.ends_on}; it can no longer be withdrawn", code="ended"
            )
        end.canceled_on = on
        end.save(update_fields=["canceled_on"])
    return end


def registration_check(*, program: str, on: dt.date) -> None:
    """Refuse a registration on or after the program's registration closing date."""
    end = program_end_in_force(program=program)
    if end is not None and not end_dates(end).registration_open(on):
        raise RegistrationClosed(
            f"registration for {program} closed on {end.registration_closes_on}"
        )


def redemption_check(*, program: str, on: dt.date) -> None:
    """Refuse a redemption on or after the program's end date."""
    end = program_end_in_force(program=program)
    if end is not None and not end_dates(end).redemption_open(on):
        raise ProgramEnded(f"the {program} program ended on {end.ends_on}")


def accrual_stops_after(*, program: str) -> dt.date | None:
    """The last month (its first day) that earns points, when an end is scheduled."""
    end = program_end_in_force(program=program)
    return end.last_accrual_month if end is not None else None


@dataclass(frozen=True)
class AnnouncedEnd:
    """An announced program end as the portal's banner shows it."""

    program: str
    name_ja: str
    name_en: str
    registration_closes_on: dt.date
    last_accrual_month: dt.date
    last_exchange_on: dt.date
    ends_on: dt.date
    ended: bool

    def name(self, language: str) -> str:
        """The program's name in `language`."""
        return self.name_en if language.startswith("en") else self.name_ja


def announced_ends(*, on: dt.date, program: str | None = None) -> list[AnnouncedEnd]:
    """The program ends announced by `on` (of one program, or of every program)."""
    ends = ProgramEnd.objects.filter(canceled_on__isnull=True, announce_on__lte=on)
    if program is not None:
        ends = ends.filter(program=program)
    shown = []
    for end in ends.order_by("ends_on", "program"):
        definition = program_on(program=end.program, on=end.announce_on)
        shown.append(
            AnnouncedEnd(
                program=end.program,
                name_ja=definition.name_ja,
                name_en=definition.name_en,
                registration_closes_on=end.registration_closes_on,
                last_accrual_month=end.last_accrual_month,
                last_exchange_on=end.ends_on - dt.timedelta(days=1),
                ends_on=end.ends_on,
                ended=on >= end.ends_on,
            )
        )
    return shown
