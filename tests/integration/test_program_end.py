"""Ending a program (SPEC §3.4) through the command line: refusals, accrual, close, audit."""

import datetime as dt
import json

import pytest

from memberclub.cli.main import main
from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import Draw, Entry, EntryKind, Lot
from memberclub.ledger.services import points_credit
from memberclub.members.models import Member
from memberclub.members.selectors import membership_left_on
from memberclub.notifications.models import MailStatus, NoticeMail
from memberclub.programs.models import ProgramEnd
from memberclub.reports.selectors import liability_roll_forward

pytestmark = pytest.mark.django_db
D = dt.date
# As the real East club was ended: last grant for November 2023, exchanges until 2025-03-31.
EAST_END = [
    "--announce-on", "2023-10-01", "--registration-closes-on", "2023-12-01",
    "--last-accrual-month", "2023-11", "--ends-on", "2025-03-31",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """A command closes every connection when it ends; the test's transaction must survive it."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def _run(capsys, *args: str) -> tuple[int, dict]:
    status = main(["memberclub", *args, "--json"])
    lines = capsys.readouterr().out.strip().splitlines()
    return status, json.loads(lines[-1])


def _credit(member, points: int, on: dt.date) -> None:
    points_credit(
        account_id=member.account.pk, points=points, award_on=on, key=f"t:{member.pk}:{on}"
    )


@pytest.mark.parametrize(
    ("dates", "reason"),
    [
        (["2023-10-01", "2023-10-15", "2023-10", "2023-10-30"], "at least 30 days"),
        (["2023-10-01", "2023-09-01", "2023-11", "2025-03-31"], "out of order"),
        (["2023-10-01", "2025-04-01", "2023-11", "2025-03-31"], "out of order"),
    ],
)
def test_an_end_with_too_short_notice_or_dates_out_of_order_is_refused(
    capsys, programs, dates, reason
):
    flags = ["--announce-on", "--registration-closes-on", "--last-accrual-month", "--ends-on"]
    args = [part for pair in zip(flags, dates, strict=True) for part in pair]

    status, result = _run(
        capsys, "program", "end", "--program", "east", *args, "--on", "2023-09-01"
    )

    assert status == 2
    assert reason in result["error"]
    assert not ProgramEnd.objects.exists() and not NoticeMail.objects.exists()


def test_a_second_end_is_refused_until_the_first_is_withdrawn(capsys, programs):
    assert (
        _run(capsys, "program", "end", "--program", "east", *EAST_END, "--on", "2023-09-01")[0] == 0
    )

    status, result = _run(capsys, "program", "end", "--program", "east", *EAST_END)

    assert status == 2 and "already scheduled" in result["error"]
    assert ProgramEnd.objects.count() == 1


def test_missing_dates_are_refused_with_the_flags_named(capsys, programs):
    status, result = _run(
        capsys, "program", "end", "--program", "east", "--announce-on", "2023-10-01"
    )

    assert status == 2
    assert "--ends-on" in result["error"] and "--registration-closes-on" in result["error"]


def test_a_whole_program_end_from_announcement_to_close(capsys, make_member):
    member = make_member(service_started_on=D(2020, 4, 1))
    other = make_member()
    _credit(other, 300, D(2022, 4, 1))  # FY2022: usable through 2025-03-31
    _credit(other, 200, D(2021, 4, 1))  # FY2021: expired after 2024-03-31, before the end

    status, scheduled = _run(
        capsys, "program", "end", "--program", "east", *EAST_END, "--on", "2023-09-20"
    )
    assert status == 0
    assert scheduled["by_kind"] == {"program_end": 2, "program_end_reminder": 2}
    assert set(NoticeMail.objects.values_list("kind", flat=True)) == {
        "program_end",
        "program_end_reminder",
    }

    status, november = _run(capsys, "accrue", "--program", "east", "--month", "2023-11")
    assert status == 0 and "skipped" not in november and november["points"] > 0
    status, december = _run(capsys, "accrue", "--program", "east", "--month", "2023-12")
    assert status == 0
    assert december["skipped"] == "program ends" and december["points"] == 0
    assert not Entry.objects.filter(period="2023-12").exists()

    status, early = _run(capsys, "program", "close", "--program", "east", "--as-of", "2025-03-30")
    assert status == 0 and early["skipped"]
    assert not Entry.objects.filter(kind=EntryKind.FORFEIT).exists()

    status, closed = _run(capsys, "program", "close", "--program", "east", "--as-of", "2025-03-31")
    assert status == 0
    forfeits = Entry.objects.filter(kind=EntryKind.FORFEIT)
    assert forfeits.count() == 2
    assert set(forfeits.values_list("effective_on", flat=True)) == {D(2025, 3, 31)}
    # November 2023 granted 400 (service year 4) to each; the 2022 lot is still usable on D2.
    assert dict(forfeits.values_list("account", "points")) == {
        member.account.pk: -400,
        other.account.pk: -700,
    }
    assert Entry.objects.get(account=other.account, kind=EntryKind.EXPIRE).points == -200
    assert closed["forfeited"] == -sum(forfeits.values_list("points", flat=True))
    assert not Lot.objects.filter(remaining__gt=0).exists()
    assert Draw.objects.filter(entry__kind=EntryKind.FORFEIT).count() == 3
    assert closed["members_ended"] == 2
    assert {membership_left_on(member=ended) for ended in Member.objects.all()} == {D(2025, 3, 31)}
    assert liability_roll_forward(program="east", fiscal_year=2024).closing == 0
    assert ledger_audit().ok

    status, again = _run(capsys, "program", "close", "--program", "east", "--as-of", "2025-04-02")
    assert status == 0 and again["forfeited"] == 0 and again["accounts"] == 0
    assert Entry.objects.filter(kind=EntryKind.FORFEIT).count() == 2


def test_a_withdrawn_end_cancels_unsent_mail_and_tells_those_already_told(capsys, make_member):
    told, not_yet = make_member(), make_member()
    _run(capsys, "program", "end", "--program", "east", *EAST_END, "--on", "2023-09-20")
    NoticeMail.objects.filter(member=told, kind="program_end").update(status=MailStatus.SENT)

    status, result = _run(
        capsys, "program", "end", "--program", "east", "--cancel", "--on", "2024-01-10"
    )

    assert status == 0 and result["canceled_on"] == "2024-01-10"
    assert result["by_kind"] == {"program_end_canceled": 1}
    assert NoticeMail.objects.get(kind="program_end_canceled").member_id == told.pk
    assert set(NoticeMail.objects.filter(member=not_yet).values_list("status", flat=True)) == {
        MailStatus.CANCELED
    }
    _, november = _run(capsys, "accrue", "--program", "east", "--month", "2024-01")
    assert "skipped" not in november
    status, again = _run(capsys, "program", "end", "--program", "east", "--cancel")
    assert status == 2 and "no end" in again["error"]
