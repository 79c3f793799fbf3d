"""One display format per kind of value, for everything a member or staff member reads.

CSV files are exempt: they carry ISO dates and plain integers for machines. Dates are shown in
Japan time whatever the server's clock zone, since the club, its members and its staff are there.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import translation

JST = ZoneInfo("Asia/Tokyo")
_MONTHS_EN = [
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
]


def _english(language: str | None) -> bool:
    return (language or translation.get_language() or "ja").startswith("en")


def _day(value: dt.date | dt.datetime) -> dt.date:
    """The calendar day in JST (an aware datetime is converted; a date is taken as it is)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(JST)
        return value.date()
    return value


def points(value: int | None) -> str:
    """Points with thousands separators: 3,800."""
    return f"{int(value or 0):,}"


def date(value: dt.date | dt.datetime | None, *, language: str | None = None) -> str:
    """A day as 2026年12月2日 (English: 2 December 2026), in JST."""
    if value is None:
        return ""
    day = _day(value)
    if _english(language):
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def short_date(value: dt.date | dt.datetime | None) -> str:
    """A day as 2026/12/02 in JST, for dense tables such as the points history."""
    if value is None:
        return ""
    return _day(value).strftime("%Y/%m/%d")


def date_time(value: dt.datetime | None, *, language: str | None = None) -> str:
    """A moment as 2026年12月2日 15:04 (English: 2 December 2026 15:04), in JST."""
    if value is None:
        return ""
    moment = value.astimezone(JST) if value.tzinfo is not None else value
    return f"{date(moment, language=language)} {moment:%H:%M}"


def month(value: dt.date | str | None, *, language: str | None = None) -> str:
    """A (bill) month as 2027年1月 (English: January 2027); takes a date or 'YYYY-MM'."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        year_text, month_text = value.split("-")[:2]
        year, number = int(year_text), int(month_text)
    else:
        year, number = value.year, value.month
    if _english(language):
        return f"{_MONTHS_EN[number - 1]} {year}"
    return f"{year}年{number}月"


def postal(code: str | None) -> str:
    """A Japanese postal code as 〒754-4685, whether stored with a hyphen or without."""
    digits = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(digits) != 7:
        return code or ""
    return f"〒{digits[:3]}-{digits[3:]}"


_SIZE_UNITS = ("KB", "MB", "GB", "TB")


def file_size(value: int | None) -> str:
    """Bytes as 0 B, 532 KB, 1.5 GB, 10 GB (multiples of 1,024, as the 10 GB quota is counted)."""
    size = float(int(value or 0))
    if size < 1024:
        return f"{int(size):,} B"
    index = 0
    size /= 1024
    while size >= 1024 and index < len(_SIZE_UNITS) - 1:
        size /= 1024
        index += 1
    unit = _SIZE_UNITS[index]
    if size < 10 and round(size, 1) != int(size):
        return f"{size:.1f} {unit}"
    return f"{round(size):,} {unit}"
