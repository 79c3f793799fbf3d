"""Storage rules: quota arithmetic, the keep date and the purge bound, names, byte ranges."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memberclub.domain.errors import Refused
from memberclub.domain.program import parse_program
from memberclub.domain.storage import (
    MULTIPART_ALLOWANCE,
    ByteRange,
    QuotaExceeded,
    RangeNotSatisfiable,
    Usage,
    byte_range,
    clean_folder,
    clean_name,
    keep_until,
    numbered,
    purge_before,
    reservation_for,
)
from tests.conftest import ROOT

POLICY = "end_of_next_month"


def test_free_space_counts_stored_and_reserved_bytes_and_never_goes_negative():
    assert Usage(quota=1000, stored=300, reserved=200).free == 500
    assert Usage(quota=1000, stored=900, reserved=200).free == 0


def test_a_raw_body_reserves_its_length_and_is_refused_one_byte_past_the_free_space():
    usage = Usage(quota=1000, stored=400, reserved=0)

    assert reservation_for(usage=usage, content_length=600, framed=False) == 600
    with pytest.raises(QuotaExceeded) as refused:
        reservation_for(usage=usage, content_length=601, framed=False)
    assert refused.value.free == 600


def test_a_multipart_body_may_carry_framing_but_never_reserves_more_than_is_free():
    usage = Usage(quota=1000, stored=400, reserved=0)

    assert (
        reservation_for(usage=usage, content_length=600 + MULTIPART_ALLOWANCE, framed=True) == 600
    )
    with pytest.raises(QuotaExceeded):
        reservation_for(usage=usage, content_length=601 + MULTIPART_ALLOWANCE, framed=True)


@given(
    quota=st.integers(0, 10**12),
    stored=st.integers(0, 10**12),
    lengths=st.lists(st.integers(0, 10**11), max_size=12),
)
def test_reservations_one_after_another_never_pass_the_quota(quota, stored, lengths):
    reserved = 0
    for length in lengths:
        usage = Usage(quota=quota, stored=min(stored, quota), reserved=reserved)
        try:
            reserved += reservation_for(usage=usage, content_length=length, framed=True)
        except QuotaExceeded:
            continue
    assert min(stored, quota) + reserved <= quota


def test_files_are_kept_until_the_end_of_the_month_after_the_membership_ended():
    assert keep_until(ended_on=dt.date(2026, 12, 2), policy=POLICY) == dt.date(2027, 1, 31)
    assert keep_until(ended_on=dt.date(2027, 1, 31), policy=POLICY) == dt.date(2027, 2, 28)
    with pytest.raises(Refused):
        keep_until(ended_on=dt.date(2027, 1, 31), policy="forever")


@given(
    ended=st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)),
    as_of=st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)),
)
def test_the_purge_bound_selects_exactly_the_memberships_past_their_keep_date(ended, as_of):
    past = keep_until(ended_on=ended, policy=POLICY) < as_of
    assert past == (ended < purge_before(as_of=as_of, policy=POLICY))


def test_names_keep_only_their_last_path_part_and_refuse_control_characters():
    assert clean_name("C:\\Users\\太郎\\写真.jpg") == "写真.jpg"
    assert clean_name(" ../../etc/passwd ") == "passwd"
    assert clean_name("ｶﾞ") == "ｶﾞ"
    for bad in ("", "..", ".", "a\x00b", "a\u202eb", "x" * 201):
        with pytest.raises(Refused):
            clean_name(bad)
    assert clean_folder("") == ""
    with pytest.raises(Refused):
        clean_folder("a/b")


def test_a_taken_name_gets_a_number_before_its_extension():
    assert numbered("report.pdf", 2) == "report (2).pdf"
    assert numbered("README", 3) == "README (3)"


def test_byte_ranges_as_rfc_9110_reads_them():
    assert byte_range(None, size=100) is None
    assert byte_range("bytes=0-9", size=100) == ByteRange(0, 9)
    assert byte_range("bytes=90-", size=100) == ByteRange(90, 99)
    assert byte_range("bytes=90-500", size=100) == ByteRange(90, 99)
    assert byte_range("bytes=-10", size=100) == ByteRange(90, 99)
    assert byte_range("bytes=-500", size=100) == ByteRange(0, 99)
    # Several ranges, other units and nonsense are answered with the whole file.
    for whole in ("bytes=0-1,5-6", "items=0-1", "bytes=x-y", "bytes=9-3", "bytes=-"):
        assert byte_range(whole, size=100) is None
    for unsatisfiable in ("bytes=100-", "bytes=-0"):
        with pytest.raises(RangeNotSatisfiable):
            byte_range(unsatisfiable, size=100)
    with pytest.raises(RangeNotSatisfiable):
        byte_range("bytes=0-", size=0)


def test_the_shipped_programs_give_east_10_gib_and_west_no_storage():
    east = parse_program((ROOT / "programs" / "east.toml").read_text(encoding="utf-8"))
    west = parse_program((ROOT / "programs" / "west.toml").read_text(encoding="utf-8"))

    assert (east.storage.quota_bytes, east.storage.keep_until) == (10 * 1024**3, POLICY)
    assert west.storage.quota_bytes == 0
    assert east.access.level_for("storage") == "PASSWORD"


def test_a_program_file_with_the_old_retention_key_is_refused_with_its_line():
    text = (ROOT / "programs" / "east.toml").read_text(encoding="utf-8")
    text = text.replace('keep_until = "end_of_next_month"', "keep_days_after_leaving = 30")

    with pytest.raises(Refused, match=r"storage\.keep_days_after_leaving"):
        parse_program(text)
