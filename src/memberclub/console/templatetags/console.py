"""Template filters of the console: coded values by name, job periods and durations."""

import datetime as dt

from django import template
from django.utils.translation import gettext as _

from memberclub import formats
from memberclub.console.labels import CHOICES, choice_label

register = template.Library()


@register.filter
def choice(value: str, group: str) -> str:
    """A coded value by its name: {{ entry.kind|choice:"entry_kind" }}."""
    return choice_label(group, value) if group in CHOICES else value


@register.filter
def as_period(value: str) -> str:
    """A job period: a month (2026-11) or a day (2026-11-02), shown as staff read them."""
    if len(value) == 7:
        return formats.month(value)
    try:
        return formats.date(dt.date.fromisoformat(value))
    except ValueError:
        return value


@register.filter
def as_duration(seconds: float | None) -> str:
    """A duration as 1分5秒 (English: 1 min 5 s)."""
    if seconds is None:
        return "—"
    minutes, rest = divmod(round(seconds), 60)
    if minutes:
        return _("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": rest}
    return _("%(seconds)s s") % {"seconds": rest}
