"""Template filters for the one display format of each kind of value (memberclub.formats).

Loaded with `{% load formats %}` in any template: portal, exchange, emails and console alike.
"""

import datetime as dt

from django import template

from memberclub import formats

register = template.Library()


@register.filter
def as_points(value: int | None) -> str:
    """3,800"""
    return formats.points(value)


@register.filter
def as_date(value: dt.date | dt.datetime | str | None) -> str:
    """2026年12月2日 (English: 2 December 2026), in JST; also an ISO date kept in an email's
    context."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value) if value else None
    return formats.date(value)


@register.filter
def as_short_date(value: dt.date | dt.datetime | None) -> str:
    """2026/12/02, in JST."""
    return formats.short_date(value)


@register.filter
def as_date_time(value: dt.datetime | None) -> str:
    """2026年12月2日 15:04, in JST."""
    return formats.date_time(value)


@register.filter
def as_month(value: dt.date | str | None) -> str:
    """2027年1月 (English: January 2027)."""
    return formats.month(value)


@register.filter
def as_postal(value: str | None) -> str:
    """〒754-4685"""
    return formats.postal(value)


@register.filter
def as_file_size(value: int | None) -> str:
    """1.5 GB (multiples of 1,024)."""
    return formats.file_size(value)
