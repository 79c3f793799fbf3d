"""Hypothesis-generated CSV files for the three feeds (contracts, members, usage): the command
exits 0 or 2, never with a traceback, and the good row among the generated ones is kept."""

import csv
import io
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memberclub.cli.main import main
from memberclub.contracts.models import Contract
from memberclub.domain.rows import CONTRACT_COLUMNS, MEMBER_COLUMNS
from memberclub.members.models import Member
from memberclub.usage.models import UsageBill
from tests.factories import CONTRACT_ROW

pytestmark = pytest.mark.django_db
USAGE_COLUMNS = ["customer_id", "billing_month", "billed_yen", "paid"]
_numbers = itertools.count(1)
EDGES = [
    "", " ", "0", "-1", "9" * 30, "2026-02-30", "2026-13", "1900-01-01", "9999-12-31", "true",
    "no", "east", "west", "ACTIVE", "CANCELED", "FAMILY", "NINEN_WARI", "::/0", "10.0.0.0/33",
    "a@b", "ja", "en", "〒100-0001", "\ufeff", "=HYPERLINK(1)", "\x00", "CAF0000001",
]  # fmt: skip
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def _connection_kept_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command run in this process would close the test's connection at its end."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def values_like(good: dict[str, str]) -> st.SearchStrategy[list[str]]:
    """A row: each field its good value, an edge value or any text; sometimes too few or many."""
    fields = [
        st.sampled_from([value]) | st.sampled_from(EDGES) | st.text(max_size=40)
        for value in good.values()
    ]
    row = st.tuples(*fields).map(list)
    return row | row.map(lambda values: values[:-2]) | row.map(lambda values: [*values, "x"])


def write(path: Path, columns: list[str], rows: list[list[str]], bom: bool) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    path.write_text(("\ufeff" if bom else "") + out.getvalue(), encoding="utf-8")
    return path


def run_import(capsys: Any, noun: str, path: Path) -> dict[str, Any]:
    status = main(["memberclub", noun, "import", str(path), "--json"])
    out, err = capsys.readouterr()
    assert status in (0, 2), err
    assert "Traceback" not in err
    return dict(json.loads(out.strip().splitlines()[-1]))


def fuzz_feed(
    *,
    noun: str,
    columns: list[str],
    good: Callable[[], dict[str, str]],
    kept: Callable[[dict[str, str]], bool],
    tmp_path: Path,
    capsys: Any,
    data: st.DataObject,
) -> None:
    good_row = good()
    rows = data.draw(st.lists(values_like(good_row), max_size=6))
    # The good row last: a later row for the same customer would rightly replace it.
    path = write(tmp_path / f"{next(_numbers)}.csv", columns, [*rows, list(good_row.values())],
                 data.draw(st.booleans()))  # fmt: skip

    result = run_import(capsys, noun, path)

    assert "error" not in result, result
    assert kept(good_row)


@FUZZ
@given(data=st.data())
def test_generated_contract_files_keep_their_good_rows(programs, tmp_path, capsys, data):
    def good() -> dict[str, str]:
        return {**CONTRACT_ROW, "customer_id": f"CAZ{next(_numbers):07d}"}

    def kept(row: dict[str, str]) -> bool:
        return Contract.objects.filter(customer_id=row["customer_id"], status="ACTIVE").exists()

    fuzz_feed(noun="contracts", columns=CONTRACT_COLUMNS, good=good, kept=kept,
              tmp_path=tmp_path, capsys=capsys, data=data)  # fmt: skip


@FUZZ
@given(data=st.data())
def test_generated_member_files_keep_their_good_rows(make_contract, tmp_path, capsys, data):
    def good() -> dict[str, str]:
        contract = make_contract(customer_id=f"CAY{next(_numbers):07d}")
        return {
            "customer_id": contract.customer_id, "email": "taro@example.com",
            "nickname": "たろう", "joined_on": "2021-01-01", "mail_opt_in": "true",
            "language": "ja",
        }  # fmt: skip

    def kept(row: dict[str, str]) -> bool:
        return Member.objects.filter(contract__customer_id=row["customer_id"]).exists()

    fuzz_feed(noun="members", columns=MEMBER_COLUMNS, good=good, kept=kept,
              tmp_path=tmp_path, capsys=capsys, data=data)  # fmt: skip


@FUZZ
@given(data=st.data())
def test_generated_usage_files_keep_their_good_rows(make_contract, tmp_path, capsys, data):
    def good() -> dict[str, str]:
        contract = make_contract(
            customer_id=f"CAX{next(_numbers):07d}", program="west", discount=""
        )
        return {"customer_id": contract.customer_id, "billing_month": "2026-10",
                "billed_yen": "5200", "paid": "true"}  # fmt: skip

    def kept(row: dict[str, str]) -> bool:
        bills = UsageBill.objects.filter(contract__customer_id=row["customer_id"])
        return list(bills.values_list("billing_month", "billed_yen")) == [("2026-10", 5200)]

    fuzz_feed(noun="usage", columns=USAGE_COLUMNS, good=good, kept=kept,
              tmp_path=tmp_path, capsys=capsys, data=data)  # fmt: skip


@FUZZ
@given(
    noun=st.sampled_from(["contracts", "members", "usage"]),
    content=st.binary(max_size=300)
    | st.text(max_size=300).map(str.encode)
    | st.sampled_from(
        [b"", b"\xef\xbb\xbf", b"customer_id\n", b'customer_id,email\n"unclosed\n', b"\xff\xfe"]
    ),
)
def test_any_bytes_as_a_feed_exit_0_or_2_and_never_a_traceback(programs, tmp_path, capsys, noun,
                                                               content):  # fmt: skip
    path = tmp_path / f"{next(_numbers)}.csv"
    path.write_bytes(content)

    run_import(capsys, noun, path)
