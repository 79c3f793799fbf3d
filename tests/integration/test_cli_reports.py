"""`memberclub report`: the roll-forward's fields at the top level, months, CSV, bad input."""

import json

import pytest

from memberclub.cli.main import main
from memberclub.reports.selectors import liability_roll_forward
from tests.report_support import busy_ledger

pytestmark = pytest.mark.django_db
FIELDS = ("opening", "issued", "redeemed", "refunded", "expired", "forfeited", "revoked",
          "adjusted", "closing")  # fmt: skip


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """A command closes every connection when it ends; the test's transaction must survive it."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def run(capsys, *args: str) -> tuple[int, dict]:
    status = main(["memberclub", *args, "--json"])
    return status, json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_the_liability_json_has_the_fields_at_the_top_and_twelve_months(make_member, capsys):
    busy_ledger(make_member)
    expected = liability_roll_forward(program="east", fiscal_year=2026, by_month=True)

    status, result = run(
        capsys, "report", "liability", "--program", "east", "--fy", "2026", "--by", "month"
    )

    assert status == 0
    assert {field: result[field] for field in FIELDS} == {f: getattr(expected, f) for f in FIELDS}
    assert len(result["months"]) == 12
    assert all(set(FIELDS) <= set(month) for month in result["months"])
    assert result["months"][-1]["closing"] == result["closing"]


def test_the_liability_csv_is_written_with_a_bom(make_member, capsys, tmp_path):
    busy_ledger(make_member)
    out = tmp_path / "liability.csv"

    status, result = run(
        capsys, "report", "liability", "--program", "west", "--fy", "2026", "--out", str(out)
    )

    assert status == 0 and result["out"] == str(out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "months" not in result


def test_outstanding_as_of_lists_points_by_expiry_date(make_member, capsys):
    busy_ledger(make_member)

    status, result = run(
        capsys, "report", "outstanding", "--program", "east", "--as-of", "2027-04-01"
    )

    assert status == 0
    assert "2027-03-31" not in {row["expires_on"] for row in result["by_expiry"]}
    assert result["total"] == sum(row["points"] for row in result["by_expiry"]) > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("liability", "--program", "nope", "--fy", "2026"), "no program 'nope'"),
        (("liability", "--program", "east", "--fy", "1999"), "--fy takes a fiscal year"),
        (("outstanding", "--program", "east", "--as-of", "2027-02-30"), "not a date"),
    ],
)
def test_bad_input_is_refused_with_exit_status_2(make_member, capsys, args, message):
    busy_ledger(make_member)

    status, result = run(capsys, "report", *args)

    assert status == 2 and message in result["error"]
