"""The SHIPPED flow: the vendor's CSV out, its answer in, the member emailed the tracking number."""

import csv
import io
import json

import pytest
from django.core import mail

from memberclub.cli.main import main
from memberclub.fulfilment.models import Shipment
from memberclub.rewards.models import Redemption, Status
from memberclub.rewards.services import redemption_cancel
from tests.portal_support import run_tasks
from tests.rewards_support import TODAY, give, load_catalogs, redeem

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(make_member):
    load_catalogs()
    member = make_member()
    give(member, 20_000)
    return [redeem(member, "E-RICE-5KG", key=f"k{n}").redemption for n in range(3)]


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    # The command closes its connections when done; the test's transaction must stay open.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def run(capsys, *args: str) -> tuple[int, dict]:
    status = main(["memberclub", *args, "--json"])
    out = capsys.readouterr().out.strip().splitlines()
    return status, json.loads(out[-1])


def answer(tmp_path, rows, header="redemption_number,tracking_number,shipped_on"):
    path = tmp_path / "answer.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return str(path)


def test_the_export_lists_the_requested_shipments_with_their_addresses(shipped, tmp_path, capsys):
    redemption_cancel(redemption_id=shipped[2].pk, on=TODAY, by="support", reason="asked")
    out = tmp_path / "vendor.csv"

    status, result = run(capsys, "fulfilment", "export", "--out", str(out))

    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert status == 0 and result["shipments"] == 2
    assert rows[0][:3] == ["redemption_number", "requested_on", "item_code"]
    assert {row[0] for row in rows[1:]} == {shipped[0].number, shipped[1].number}
    assert rows[1][7] == "東京都千代田区千代田1-1"


def test_the_answer_marks_them_fulfilled_and_emails_the_tracking_number(shipped, tmp_path, capsys):
    file = answer(tmp_path, [f"{shipped[0].number},1234-5678-9012,2026-11-28", "NOPE,1,2026-11-28"])

    status, result = run(capsys, "fulfilment", "import", file)
    run_tasks()

    assert status == 0 and result["created"] == 1
    assert result["rejected"] == [{"line": 3, "reason": "no redemption NOPE"}]
    assert Redemption.objects.get(pk=shipped[0].pk).status == Status.FULFILLED
    assert Redemption.objects.get(pk=shipped[1].pk).status == Status.REQUESTED
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "1234-5678-9012" in body and "2026年11月28日" in body and shipped[0].number in body
    assert "商品を発送しました" in mail.outbox[0].subject and "お問い合わせ番号" in body


def test_importing_the_same_answer_twice_changes_nothing_and_sends_no_second_email(
    shipped, tmp_path, capsys
):
    file = answer(tmp_path, [f"{shipped[0].number},1234-5678-9012,2026-11-28"])
    run(capsys, "fulfilment", "import", file)
    run_tasks()

    status, result = run(capsys, "fulfilment", "import", file)
    run_tasks()

    assert status == 0 and result["unchanged"] == 1 and result["created"] == 0
    assert len(mail.outbox) == 1
    assert Shipment.objects.count() == 1


def test_a_canceled_redemption_or_a_bad_row_is_rejected_with_its_line(shipped, tmp_path, capsys):
    redemption_cancel(redemption_id=shipped[1].pk, on=TODAY, by="support", reason="asked")
    file = answer(
        tmp_path,
        [
            f"{shipped[1].number},999,2026-11-28",
            f"{shipped[0].number},,2026-11-28",
            f"{shipped[2].number},777,28/11/2026",
        ],
    )

    status, result = run(capsys, "fulfilment", "import", file)

    assert status == 0
    assert [row["line"] for row in result["rejected"]] == [2, 3, 4]
    assert "canceled" in result["rejected"][0]["reason"]
    assert Shipment.objects.count() == 0


def test_a_wrong_header_refuses_the_file(shipped, tmp_path, capsys):
    file = answer(tmp_path, [f"{shipped[0].number},1,2026-11-28"], header="number,tracking")

    status, result = run(capsys, "fulfilment", "import", file)

    assert status == 2 and "column 1 is 'number'" in result["error"]
    assert Shipment.objects.count() == 0
