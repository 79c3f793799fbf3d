"""Feeds are opened with their header checked first; rows come with the line they start on."""

import threading
from pathlib import Path

import pytest

from memberclub.csvio import ImportReport, open_feed, prefetch
from memberclub.domain.errors import Refused

COLUMNS = ["customer_id", "email"]


def read(path: Path, encoding: str = "utf-8") -> list[tuple[int, list[str] | str]]:
    with open_feed(path, columns=COLUMNS, encoding=encoding) as feed:
        return list(feed.rows())


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "feed.csv"
    path.write_bytes(data)
    return path


def test_rows_come_with_the_line_they_start_on(tmp_path):
    path = write(
        tmp_path,
        b'customer_id,email\r\nCAF1,a@example.com\r\n\r\nCAF2,"b\r\nc"\r\nCAF3,d@example.com',
    )

    assert read(path) == [
        (2, ["CAF1", "a@example.com"]),
        (4, ["CAF2", "b\r\nc"]),
        (6, ["CAF3", "d@example.com"]),
    ]


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = write(tmp_path, "\ufeffcustomer_id,email\nCAF1,a@example.com\n".encode())

    assert read(path) == [(2, ["CAF1", "a@example.com"])]


def test_a_shift_jis_file_is_read_with_cp932(tmp_path):
    path = write(tmp_path, "customer_id,email\nCAF1,髙橋①\n".encode("cp932"))

    assert read(path, encoding="cp932") == [(2, ["CAF1", "髙橋①"])]


def test_bytes_that_are_not_text_spoil_only_their_own_row(tmp_path):
    path = write(tmp_path, "customer_id,email\nCAF1,髙橋\nCAF2,ok\n".encode("cp932"))

    rows = read(path)

    assert "\ufffd" in rows[0][1][1]
    assert rows[1] == (3, ["CAF2", "ok"])


def test_a_row_the_csv_module_cannot_read_comes_with_its_reason(tmp_path):
    path = write(tmp_path, b"customer_id,email\nCAF1," + b"x" * 200_000 + b"\nCAF2,ok\n")

    rows = read(path)

    assert rows[0][0] == 2
    assert isinstance(rows[0][1], str)
    assert "cannot read the row" in rows[0][1]
    assert rows[1] == (3, ["CAF2", "ok"])


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty; expected the header customer_id,email"),
        (b"customer_id,mail\n", "line 1: column 2 is 'mail', expected 'email'"),
        (b"customer_id\n", "line 1: the header has 1 columns, expected 2"),
        (b"customer_id,email,extra\n", "line 1: the header has 3 columns, expected 2"),
    ],
)
def test_a_wrong_header_refuses_the_file(tmp_path, data, reason):
    with pytest.raises(Refused, match=reason):
        read(write(tmp_path, data))


def test_a_header_in_another_encoding_suggests_cp932(tmp_path):
    path = write(tmp_path, "お客さまID,email\n".encode("cp932"))

    with pytest.raises(Refused, match="try --encoding cp932"):
        read(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(Refused, match="cannot read"):
        read(tmp_path / "absent.csv")


def test_an_unknown_encoding_is_refused(tmp_path):
    path = write(tmp_path, b"customer_id,email\n")

    with pytest.raises(Refused, match="unknown encoding 'latin-1': use utf-8 or cp932"):
        read(path, encoding="latin-1")


def test_rejected_rows_are_reported_in_line_order():
    report = ImportReport()
    report.reject(9, "late")
    report.reject(3, "early")

    assert report.as_dict()["rejected"] == [
        {"line": 3, "reason": "early"},
        {"line": 9, "reason": "late"},
    ]


def test_prefetch_keeps_the_order_of_the_items():
    assert list(prefetch(iter(range(100)), depth=2)) == list(range(100))


def test_prefetch_raises_the_error_of_the_reading_thread():
    def items():
        yield 1
        raise Refused("bad file")

    reader = prefetch(items())

    assert next(reader) == 1
    with pytest.raises(Refused, match="bad file"):
        next(reader)


def test_closing_prefetch_stops_its_thread():
    before = threading.active_count()
    reader = prefetch(iter(range(1_000_000)))
    next(reader)

    reader.close()

    assert threading.active_count() == before
