"""The journal's reasons as staff read them: those the system writes, in the staff's language.

The services and jobs write their reasons in English into the journal (the journal is kept as
written, and old entries keep theirs); the console shows each of those fixed forms by its
translated name, with its dates and numbers in place. A reason staff typed is shown as typed.
"""

import datetime as dt
import re

from django.utils.translation import gettext_lazy as _

from memberclub import formats
from memberclub.console.labels import Promise

ENDED_BY: dict[str, Promise] = {
    "canceled": _("cancellation"),
    "converted": _("conversion"),
}
# Each form a service or job writes (see ledger.services, membership, jobs), by its pattern.
SYSTEM_REASONS: list[tuple[re.Pattern[str], Promise]] = [
    (re.compile(r"refunded to a lot that had expired"), _("refunded to a lot that had expired")),
    (re.compile(r"expired"), _("expired")),
    (re.compile(r"expired before forfeiture"), _("expired before forfeiture")),
    (re.compile(r"left the club"), _("left the club")),
    (
        re.compile(r"contract (?P<kind>\w+) effective (?P<on>\d{4}-\d{2}-\d{2})"),
        _("contract %(kind)s effective %(on)s"),
    ),
    (re.compile(r"program ended on (?P<on>\d{4}-\d{2}-\d{2})"), _("program ended on %(on)s")),
    (
        re.compile(r"billing month (?P<month>\d{4}-\d{2}) marked unpaid"),
        _("billing month %(month)s marked unpaid"),
    ),
    (
        re.compile(r"cancel (?P<number>\S+): (?P<reason>.*)", re.S),
        _("cancel %(number)s: %(reason)s"),
    ),
]


def _shown(name: str, value: str) -> str:
    """A part of a reason as staff read it: a date or month in their format, a kind by name."""
    if name == "on":
        return formats.date(dt.date.fromisoformat(value))
    if name == "month":
        return formats.month(value)
    if name == "kind":
        return str(ENDED_BY.get(value, value))
    return value


def reason_text(reason: str) -> str:
    """A journal entry's reason in the staff member's language."""
    for pattern, name in SYSTEM_REASONS:
        found = pattern.fullmatch(reason)
        if found:
            parts = {key: _shown(key, value) for key, value in found.groupdict().items()}
            return str(name) % parts if parts else str(name)
    return reason
