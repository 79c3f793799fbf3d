"""East accrual (SPEC §3.2) run as the operator runs it: every rule and edge, in the ledger."""

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command

from memberclub.cli.main import main
from memberclub.domain.errors import Refused
from memberclub.jobs.accrual import accrual_run
from memberclub.jobs.runner import AccountRange, WorkerShare
from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import Entry, EntryKind, Lot
from memberclub.members.models import Member
from memberclub.programs.services import program_load
from tests.conftest import PROGRAM_FILES

pytestmark = pytest.mark.django_db
D = dt.date


def _accrue(month: dt.date, **options: object) -> dict:
    return accrual_run(program="east", month=month, **options).as_dict()  # type: ignore[arg-type]


def _grants(member: Member) -> list[tuple[str, int, dt.date, dt.date | None]]:
    entries = Entry.objects.filter(account=member.account, kind=EntryKind.GRANT).order_by("id")
    return [(e.rule, e.points, e.effective_on, e.expires_on) for e in entries]


def _points(member: Member, rule: str = "monthly") -> int:
    return sum(points for name, points, _, _ in _grants(member) if name == rule)


def _started(day: dt.date, **fields: object) -> dict:
    """Contract fields for a FAMILY contract whose service and discount started on `day`."""
    return {"service_started_on": day, "discount_started_on": day, **fields}


def test_the_monthly_grant_is_dated_the_first_of_the_month_into_that_years_lot(make_member):
    member = make_member(**_started(D(2020, 4, 1)))

    result = _accrue(D(2026, 11, 1))

    assert result == {
        "program": "east",
        "month": "2026-11",
        "accounts": 1,
        "points": 500,
        "by_rule": {"monthly": 500, "renewal_bonus": 0},
    }
    assert _grants(member) == [("monthly", 500, D(2026, 11, 1), D(2029, 3, 31))]
    lot = Lot.objects.get(account=member.account)
    assert (lot.expires_on, lot.granted, lot.remaining) == (D(2029, 3, 31), 500, 500)


@pytest.mark.parametrize(
    ("plan", "started", "points"),
    [
        ("FAMILY", D(2026, 4, 1), 100),
        ("FAMILY", D(2025, 10, 31), 200),
        ("FAMILY", D(2025, 11, 1), 100),
        ("FAMILY", D(2023, 11, 1), 300),
        ("FAMILY", D(2022, 11, 1), 400),
        ("FAMILY", D(2022, 10, 31), 500),
        ("MANSION", D(2024, 10, 31), 150),
        ("MANSION", D(2001, 1, 1), 250),
        ("LIGHT", D(2010, 1, 1), 50),
        ("CROSS", D(2010, 1, 1), 0),
    ],
)
def test_monthly_points_by_plan_and_service_year(make_member, plan, started, points):
    member = make_member(plan=plan, joined_on=started, **_started(started))

    _accrue(D(2026, 11, 1))

    assert _points(member) == points


@pytest.mark.parametrize(
    ("started", "month", "points"),
    [
        (D(2026, 1, 31), D(2027, 2, 1), 200),  # 12 whole months on 2027-01-31
        (D(2026, 3, 31), D(2027, 3, 1), 100),  # on 2027-02-28 only 10 whole months
        (D(2026, 2, 28), D(2027, 3, 1), 200),
        (D(2025, 3, 29), D(2026, 3, 1), 100),  # 2026-02-28 comes before the 29th
        (D(2025, 3, 30), D(2026, 4, 1), 200),
        (D(2024, 2, 29), D(2025, 3, 1), 100),  # leap day: 11 whole months on 2025-02-28
        (D(2024, 2, 29), D(2025, 4, 1), 200),
        (D(2024, 2, 29), D(2028, 3, 1), 500),  # 48 whole months on 2028-02-29
    ],
)
def test_service_starting_on_the_29th_to_31st_or_a_leap_day(make_member, started, month, points):
    member = make_member(joined_on=started, **_started(started))

    _accrue(month)

    assert _points(member) == points


def test_registration_on_the_last_day_of_m_minus_1_earns_m(make_member):
    on_time = make_member(joined_on=D(2026, 10, 31))
    too_late = make_member(joined_on=D(2026, 11, 1))

    _accrue(D(2026, 11, 1))

    assert _points(on_time) == 500
    assert _points(too_late) == 0


def test_service_starting_after_m_minus_1_earns_nothing_yet(make_member):
    started = make_member(joined_on=D(2026, 10, 1), **_started(D(2026, 10, 31)))
    not_yet = make_member(joined_on=D(2026, 10, 1), **_started(D(2026, 11, 1)))

    _accrue(D(2026, 11, 1))

    assert _points(started) == 100
    assert _points(not_yet) == 0


@pytest.mark.parametrize(
    ("ended_on", "points"),
    [(D(2026, 10, 31), 0), (D(2026, 11, 1), 500), (None, 500)],
    ids=["ended-on-the-last-day-of-m-1", "ended-on-the-first-of-m", "still-running"],
)
def test_the_discount_must_be_active_on_the_last_day_of_m_minus_1(make_member, ended_on, points):
    member = make_member(discount_ended_on=ended_on)

    _accrue(D(2026, 11, 1))

    assert _points(member) == points


def test_a_contract_without_the_discount_earns_nothing(make_member):
    member = make_member(discount="", discount_started_on=None)

    _accrue(D(2026, 11, 1))

    assert _points(member) == 0


@pytest.mark.parametrize(
    ("status", "effective_on", "points"),
    [
        ("CANCELED", D(2026, 11, 1), 0),  # effective on the award date
        ("CONVERTED", D(2026, 11, 1), 0),
        ("CANCELED", D(2026, 10, 20), 0),
        ("CANCELED", D(2026, 11, 2), 500),  # still ACTIVE on the award date
    ],
)
def test_a_contract_ending_on_or_before_the_award_date_earns_nothing(
    make_member, status, effective_on, points
):
    member = make_member(status=status, status_effective_on=effective_on)

    _accrue(D(2026, 11, 1))

    assert _points(member) == points


def test_a_member_who_has_left_earns_nothing(make_member):
    left = make_member()
    Member.objects.filter(pk=left.pk).update(left_on=D(2026, 10, 15))

    _accrue(D(2026, 11, 1))

    assert _grants(left) == []


def test_migrated_and_portal_members_are_treated_alike(make_member):
    migrated = make_member()
    portal = make_member()
    Member.objects.filter(pk=migrated.pk).update(source="import")
    Member.objects.filter(pk=portal.pk).update(source="portal")

    _accrue(D(2026, 11, 1))

    assert _points(migrated) == _points(portal) == 500


def test_the_renewal_bonus_comes_once_with_the_run_three_months_after_the_term_ends(make_member):
    # Discount from 2020-04-01: a term ends in April 2026; window April–June; paid in July.
    member = make_member()

    for month in range(4, 10):
        _accrue(D(2026, month, 1))
    _accrue(D(2026, 7, 1))

    assert [(rule, points, on) for rule, points, on, _ in _grants(member)][-4:] == [
        ("monthly", 500, D(2026, 7, 1)),
        ("renewal_bonus", 1000, D(2026, 7, 1)),
        ("monthly", 500, D(2026, 8, 1)),
        ("monthly", 500, D(2026, 9, 1)),
    ]
    bonus = Entry.objects.get(account=member.account, rule="renewal_bonus")
    assert bonus.idempotency_key == f"renewal_bonus:{member.contract.customer_id}:2026-04"


def test_a_renewal_window_crossing_the_fiscal_year_pays_into_the_new_years_lot(make_member):
    member = make_member(**_started(D(2025, 2, 10)))

    _accrue(D(2027, 5, 1))

    assert ("renewal_bonus", 1000, D(2027, 5, 1), D(2030, 3, 31)) in _grants(member)
    lot = Lot.objects.get(account=member.account)
    assert (lot.expires_on, lot.remaining) == (D(2030, 3, 31), 1000 + 300)


@pytest.mark.parametrize(
    ("fields", "joined_on", "earns"),
    [
        ({}, D(2026, 4, 30), True),
        ({}, D(2026, 5, 1), False),  # registered after the end of R
        ({"plan": "MANSION"}, D(2021, 1, 1), False),  # FAMILY only
        ({"discount_ended_on": D(2026, 6, 30)}, D(2021, 1, 1), False),  # gone on R+2's last day
        ({"discount_ended_on": D(2026, 7, 1)}, D(2021, 1, 1), True),
        ({"status": "CANCELED", "status_effective_on": D(2026, 7, 1)}, D(2021, 1, 1), False),
    ],
)
def test_the_renewal_bonus_conditions(make_member, fields, joined_on, earns):
    member = make_member(joined_on=joined_on, **fields)

    _accrue(D(2026, 7, 1))

    assert _points(member, "renewal_bonus") == (1000 if earns else 0)


def test_a_leap_day_discount_renews_at_the_end_of_february(make_member):
    member = make_member(**_started(D(2024, 2, 29)))

    _accrue(D(2026, 5, 1))

    assert _points(member, "renewal_bonus") == 1000


def test_a_program_version_changing_rates_mid_year_applies_from_its_effective_date(make_member):
    member = make_member()
    text = PROGRAM_FILES[0].read_text(encoding="utf-8")
    text = re.sub(r"effective_on = .*", "effective_on = 2026-10-01", text, count=1)
    program_load(text=text.replace("FAMILY = [100, 200, 300, 400, 500]", "FAMILY = [10, 600]"),
                 source="east-2026-10.toml")  # fmt: skip

    _accrue(D(2026, 9, 1))
    _accrue(D(2026, 10, 1))

    assert [points for _, points, _, _ in _grants(member)] == [500, 600]


def test_running_a_month_again_changes_nothing_and_says_so(make_member):
    make_member()
    first = _accrue(D(2026, 11, 1))

    again = _accrue(D(2026, 11, 1))

    assert first["points"] == 500
    assert again == {
        "program": "east",
        "month": "2026-11",
        "accounts": 0,
        "points": 0,
        "by_rule": {"monthly": 0, "renewal_bonus": 0},
    }
    assert Entry.objects.count() == 1
    assert ledger_audit().ok


def test_a_run_split_across_workers_and_ranges_grants_what_one_run_would(make_member):
    members = [make_member() for _ in range(7)]
    keys = sorted(member.account.pk for member in members)

    _accrue(D(2026, 11, 1), worker=WorkerShare(2, 3), chunk_size=2)
    _accrue(D(2026, 11, 1), accounts=AccountRange(None, keys[2]), chunk_size=1)
    _accrue(D(2026, 11, 1), worker=WorkerShare(1, 3), chunk_size=2)
    _accrue(D(2026, 11, 1), worker=WorkerShare(3, 3), chunk_size=2)
    rest = _accrue(D(2026, 11, 1))

    assert rest["accounts"] == 0
    assert [_points(member) for member in members] == [500] * 7
    assert ledger_audit().ok


def test_a_program_without_a_version_on_the_award_date_is_refused(programs):
    with pytest.raises(Refused, match="no version in force"):
        _accrue(D(1999, 11, 1))


@pytest.fixture
def _keep_the_test_connection(monkeypatch):
    """A command closes every connection when it ends; the test's transaction must survive it."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


@pytest.mark.usefixtures("_keep_the_test_connection")
def test_the_command_prints_a_summary_and_the_json_last(make_member, capsys):
    make_member()

    status = main(["memberclub", "accrue", "--program", "east", "--month", "2026-11", "--json"])
    first = capsys.readouterr().out.strip().splitlines()
    main(["memberclub", "accrue", "--program", "east", "--month", "2026-11", "--json"])
    again = capsys.readouterr().out.strip().splitlines()

    assert status == 0
    assert first[0].startswith("accrue east 2026-11: 1 accounts, 500 points")
    assert json.loads(first[-1])["points"] == 500
    assert "already done, nothing changed" in again[0]
    assert json.loads(again[-1])["points"] == 0


@pytest.mark.usefixtures("_keep_the_test_connection")
def test_a_bad_month_is_refused_with_exit_status_2(programs, capsys):
    status = main(["memberclub", "accrue", "--program", "east", "--month", "2026-13", "--json"])

    assert status == 2
    assert "YYYY-MM" in json.loads(capsys.readouterr().out.strip().splitlines()[-1])["error"]


class _Terminal(io.StringIO):
    """A stdout that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.usefixtures("_keep_the_test_connection")
def test_a_terminal_gets_a_progress_bar_and_the_summary_line(make_member):
    make_member()
    terminal = _Terminal()

    call_command("accrue", "--program", "east", "--month", "2026-11", stdout=terminal)

    shown = terminal.getvalue()
    assert "accrue east 2026-11" in shown.split("\n")[0]  # the bar, drawn then erased
    assert shown.rstrip().endswith("1 chunk done")
