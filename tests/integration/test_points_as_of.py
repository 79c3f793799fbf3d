"""A balance as of a day is what the account held at the end of that day (SPEC §6), whatever
has happened since: the CLI, the export, the operator API and the liability report agree."""

import csv
import datetime as dt
import json

import pytest

from memberclub.api.tokens import api_key_create
from memberclub.cli.main import main
from memberclub.jobs.expiry import expiry_run
from memberclub.jobs.export import points_export
from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import EntryKind
from memberclub.ledger.selectors import account_balance, program_balance
from memberclub.ledger.services import points_credit, points_debit
from memberclub.reports.selectors import liability_roll_forward

pytestmark = pytest.mark.django_db
D = dt.date
MID_NOVEMBER = D(2026, 11, 15)


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """A command closes every connection when it ends; the test's transaction must survive it."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


@pytest.fixture
def member(make_member):
    """An east member whose points moved before and after mid-November 2026.

    Lots: 100 usable through 2026-03-31 (never expired by the job), 200 through 2027-03-31,
    and the FY2026 lot through 2029-03-31; 300 spent on 10-20 (200 from the sooner lot, 100
    from the FY2026 one); then after mid-November a grant of 500 and a spend of 400.
    """
    member = make_member(customer_id="CAF0000001")
    account = member.account.pk
    for points, on in ((100, D(2023, 6, 1)), (200, D(2024, 5, 1)), (1000, D(2026, 10, 1))):
        points_credit(account_id=account, points=points, award_on=on, key=f"grant:{on}")
    points_debit(
        account_id=account, points=300, on=D(2026, 10, 20), key="r1", kind=EntryKind.REDEEM
    )
    points_credit(account_id=account, points=500, award_on=D(2026, 12, 1), key="grant:12")
    points_debit(account_id=account, points=400, on=D(2026, 12, 2), key="r2", kind=EntryKind.REDEEM)
    return member


def _cli(capsys, *args: str) -> dict:
    assert main(["memberclub", *args, "--json"]) == 0
    shown: dict = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    return shown


def test_points_show_as_of_a_past_day_leaves_out_later_grants_and_spends(member, capsys):
    shown = _cli(capsys, "points", "show", "CAF0000001", "--as-of", "2026-11-15")

    assert shown["balance"] == 900
    assert shown["lots"] == [{"expires_on": "2029-03-31", "remaining": 900}]


def test_a_lot_counts_through_its_last_day_and_not_after_journalled_or_not(member):
    account = member.account.pk
    before = account_balance(account_id=account, as_of=D(2026, 3, 31))
    after = account_balance(account_id=account, as_of=D(2026, 4, 1))
    expiry_run(program="east", as_of=D(2026, 4, 1))

    assert (before, after) == (300, 200)
    assert account_balance(account_id=account, as_of=D(2026, 3, 31)) == 300
    assert account_balance(account_id=account, as_of=D(2026, 4, 1)) == 200
    assert ledger_audit().ok


def test_the_export_as_of_a_month_end_is_the_balance_of_that_day(member, make_member, tmp_path):
    later = make_member(customer_id="CAF0000002")
    points_credit(account_id=later.account.pk, points=700, award_on=D(2026, 12, 1), key="late")
    out = tmp_path / "lots.csv"

    result = points_export(as_of=D(2026, 11, 30), out=out).as_dict()

    assert (result["rows"], result["points"]) == (1, 900)
    with out.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle))[1:] == [["CAF0000001", "east", "2029-03-31", "900"]]
    today = points_export(as_of=D(2026, 12, 2), out=out).as_dict()
    assert (today["rows"], today["points"]) == (2, 1700)


def test_the_operator_api_reads_the_balance_as_of_a_past_day(client, member):
    secret = api_key_create(name="finance", scopes=["members:read"]).secret
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    body = client.get(
        f"/api/v1/members/{member.member_id}/points?as_of=2026-11-15", **headers
    ).json()

    assert body["balance"] == 900
    assert body["lots"] == [{"expires_on": "2029-03-31", "remaining": 900}]
    assert (body["expiring_on"], body["expiring_points"]) == ("2027-03-31", 0)


def test_the_liability_report_closes_on_the_balance_and_counts_unjournalled_expiry(member):
    liability = liability_roll_forward(program="east", fiscal_year=2026)

    assert liability.opening == program_balance(program="east", as_of=D(2026, 3, 31)) == 300
    assert liability.closing == program_balance(program="east", as_of=D(2027, 3, 31)) == 1000
    assert (liability.issued, liability.redeemed, liability.expired) == (1500, 700, 100)
    movements = liability.issued - liability.redeemed - liability.expired
    assert liability.opening + movements == liability.closing
