"""The west usage feed: line-numbered rejections, upsert by customer and month, same twice."""

import datetime as dt
import json
from pathlib import Path

import pytest

from memberclub.cli.main import main
from memberclub.domain.errors import Refused
from memberclub.jobs.accrual import accrual_run
from memberclub.usage.importer import usage_import
from memberclub.usage.models import UsageBill

pytestmark = pytest.mark.django_db
D = dt.date
HEADER = "customer_id,billing_month,billed_yen,paid\n"


@pytest.fixture
def west(make_contract):
    return make_contract(customer_id="CAW0000001", program="west", discount="")


def _feed(tmp_path: Path, *rows: str, name: str = "usage.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding=encoding)
    return path


def _bills() -> list[tuple[str, str, int, bool]]:
    return [
        (bill.contract.customer_id, bill.billing_month, bill.billed_yen, bill.paid)
        for bill in UsageBill.objects.select_related("contract").order_by("billing_month")
    ]


def test_bills_are_created_and_reimporting_the_file_changes_nothing(west, tmp_path):
    path = _feed(tmp_path, "CAW0000001,2026-09,4800,true", "CAW0000001,2026-10,5200,false")

    first = usage_import(path=path).as_dict()
    again = usage_import(path=path).as_dict()

    assert first == {"created": 2, "updated": 0, "unchanged": 0, "rejected": []}
    assert again == {"created": 0, "updated": 0, "unchanged": 2, "rejected": []}
    assert _bills() == [
        ("CAW0000001", "2026-09", 4800, True),
        ("CAW0000001", "2026-10", 5200, False),
    ]
    assert UsageBill.objects.get(billing_month="2026-09").month_ends_on == D(2026, 9, 30)


def test_a_later_row_for_the_same_customer_and_month_replaces_the_earlier(west, tmp_path):
    usage_import(path=_feed(tmp_path, "CAW0000001,2026-10,5200,false", name="a.csv"))

    report = usage_import(
        path=_feed(
            tmp_path, "CAW0000001,2026-10,5000,false", "CAW0000001,2026-10,5100,yes", name="b.csv"
        )
    ).as_dict()

    assert report["updated"] == 1
    assert _bills() == [("CAW0000001", "2026-10", 5100, True)]


def test_bad_rows_are_rejected_with_their_line_and_the_good_ones_kept(
    west, make_contract, tmp_path
):
    make_contract(customer_id="CAF0000009")  # an east contract
    path = _feed(
        tmp_path,
        "CAW0000001,2026-10,5200,true",
        "CAW0000001,2026-13,5200,true",
        "CAW0000001,2026-11,-5,true",
        "CAW0000001,2026-11,5200,maybe",
        "NOPE0000001,2026-11,100,true",
        "CAF0000009,2026-11,100,true",
        "CAW0000001,2026-11",
    )

    report = usage_import(path=path).as_dict()

    assert report["created"] == 1
    assert [(item["line"], item["reason"].split(":")[0]) for item in report["rejected"]] == [
        (3, "billing_month is not a month (YYYY-MM)"),
        (4, "billed_yen must be a whole number of yen, 0 or more"),
        (5, "paid must be true or false"),
        (6, "no contract with customer_id NOPE0000001"),
        (7, "contract CAF0000009 is in program east, which earns no usage points in 2026-11"),
        (8, "expected 4 fields, found 2"),
    ]


def test_a_wrong_header_is_refused_before_anything_is_imported(west, tmp_path):
    path = tmp_path / "usage.csv"
    path.write_text("customer,month,yen,paid\nCAW0000001,2026-10,1,true\n", encoding="utf-8")

    with pytest.raises(Refused, match="line 1"):
        usage_import(path=path)
    assert UsageBill.objects.count() == 0


def test_a_cp932_file_is_read_with_the_encoding_option(west, tmp_path):
    path = _feed(tmp_path, "CAW0000001,2026-10,1200,1", encoding="cp932")

    assert usage_import(path=path, encoding="cp932").created == 1


def test_reimporting_a_rewarded_bill_keeps_what_accrual_did(make_member, tmp_path):
    member = make_member(customer_id="CAW0000002", program="west", discount="")
    usage_import(path=_feed(tmp_path, "CAW0000002,2026-10,5000,true", name="a.csv"))
    accrual_run(program="west", month=D(2026, 11, 1))

    usage_import(path=_feed(tmp_path, "CAW0000002,2026-10,5000,false", name="b.csv"))

    bill = UsageBill.objects.get(contract=member.contract)
    assert (bill.paid, bill.rewarded_on, bill.revoked_on) == (False, D(2026, 11, 1), None)


def test_the_command_prints_counts_and_rejections_and_the_json_last(
    west, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    path = _feed(tmp_path, "CAW0000001,2026-10,5200,true", "CAW0000001,2026-10,x,true")

    status = main(["memberclub", "usage", "import", str(path), "--json"])

    lines = capsys.readouterr().out.strip().splitlines()
    assert status == 0
    assert lines[0] == "created 1, updated 0, unchanged 0, rejected 1"
    assert json.loads(lines[-1])["rejected"][0]["line"] == 3
