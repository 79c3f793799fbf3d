"""The one display format of each kind of value, in Japanese and English."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import translation

from memberclub import formats


def test_points_have_thousands_separators():
    assert formats.points(3800) == "3,800"
    assert formats.points(1234567) == "1,234,567"
    assert formats.points(None) == "0"


def test_a_date_reads_as_japanese_or_english():
    day = dt.date(2026, 12, 2)
    assert formats.date(day, language="ja") == "2026年12月2日"
    assert formats.date(day, language="en") == "2 December 2026"


def test_a_moment_is_shown_on_its_japanese_day():
    # 2026-12-01 16:30 UTC is already 2 December, 01:30 in Japan.
    moment = dt.datetime(2026, 12, 1, 16, 30, tzinfo=dt.UTC)
    assert formats.date(moment, language="ja") == "2026年12月2日"
    assert formats.short_date(moment) == "2026/12/02"
    assert formats.date_time(moment, language="ja") == "2026年12月2日 01:30"


def test_a_moment_in_another_zone_is_converted_to_japan_time():
    moment = dt.datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("Europe/London"))
    assert formats.date_time(moment, language="en") == "2 December 2026 18:00"


def test_a_bill_month_reads_as_year_and_month():
    assert formats.month("2027-01", language="ja") == "2027年1月"
    assert formats.month(dt.date(2027, 1, 1), language="en") == "January 2027"


def test_a_postal_code_gets_its_mark_and_hyphen():
    assert formats.postal("7544685") == "〒754-4685"
    assert formats.postal("754-4685") == "〒754-4685"
    assert formats.postal("75446") == "75446"  # not a postal code: shown as given


def test_the_filters_follow_the_active_language():
    template = Template("{% load formats %}{{ n|as_points }} {{ d|as_date }} {{ m|as_month }}")
    context = Context({"n": 5000, "d": dt.date(2027, 3, 31), "m": "2027-01"})
    with translation.override("ja"):
        assert template.render(context) == "5,000 2027年3月31日 2027年1月"
    with translation.override("en"):
        assert template.render(context) == "5,000 31 March 2027 January 2027"


def test_a_file_size_reads_in_the_units_of_the_10_gb_quota():
    assert formats.file_size(0) == "0 B"
    assert formats.file_size(1000) == "1,000 B"
    assert formats.file_size(532 * 1024) == "532 KB"
    assert formats.file_size(3 * 1024**3 // 2) == "1.5 GB"
    assert formats.file_size(10 * 1024**3) == "10 GB"
    assert Template("{% load formats %}{{ n|as_file_size }}").render(Context({"n": 2048})) == (
        "2 KB"
    )
