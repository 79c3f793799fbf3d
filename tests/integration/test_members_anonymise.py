"""`members anonymise --as-of D` (SPEC §10, APPI): members who left more than the program's
retention before D lose their email, nickname and login; the journal and customer ID stay."""

import datetime as dt
import io
import json
from collections.abc import Callable

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from memberclub.console.models import AuditLog
from memberclub.ledger.models import Entry
from memberclub.ledger.selectors import account_balance
from memberclub.members.models import Member
from memberclub.members.privacy import members_anonymise
from memberclub.membership.profile import member_leave
from tests.rewards_support import give

pytestmark = pytest.mark.django_db
D = dt.date(2027, 6, 1)


def left_member(make_member: Callable[[], Member], on: dt.date) -> Member:
    member = make_member()
    give(member, 1_000, on=dt.date(2024, 4, 1))
    member.user.set_password("a-long-password-1")
    member.user.save()
    member_leave(member=member, on=on)
    member.refresh_from_db()
    return member


def anonymise(as_of: dt.date) -> dict[str, object]:
    out = io.StringIO()
    call_command("members", "anonymise", "--as-of", as_of.isoformat(), "--json", stdout=out)
    return dict(json.loads(out.getvalue().strip().splitlines()[-1]))


def test_a_member_who_left_over_a_year_ago_is_anonymised_and_the_journal_kept(make_member):
    member = left_member(make_member, on=D - dt.timedelta(days=366))
    entries = list(Entry.objects.filter(account__member=member).values_list("pk", "points"))

    result = anonymise(D)

    member.refresh_from_db()
    member.user.refresh_from_db()
    assert result["anonymised"] == 1
    assert result["by_program"] == {"east": 1, "west": 0}
    assert member.is_anonymised
    assert member.email == f"anonymised-{member.pk}@anonymised.invalid"
    assert member.nickname == "-"
    assert member.user.username == f"anonymised-{member.user.pk}"
    assert not member.user.is_active
    assert authenticate(username=member.member_id, password="a-long-password-1") is None
    assert member.member_id.startswith("MC")
    assert member.contract.customer_id.startswith("CAF")
    assert list(Entry.objects.filter(account__member=member).values_list("pk", "points")) == entries
    assert account_balance(account_id=member.account.pk, as_of=D) == 0


def test_members_within_the_retention_and_current_members_are_kept(make_member):
    recent = left_member(make_member, on=D - dt.timedelta(days=365))
    current = make_member()

    assert anonymise(D)["anonymised"] == 0

    for member in (recent, current):
        before = (member.email, member.nickname, member.user.username)
        member.refresh_from_db()
        member.user.refresh_from_db()
        assert (member.email, member.nickname, member.user.username) == before
        assert not member.is_anonymised


def test_a_second_run_changes_nothing_and_each_run_is_in_the_audit_log(make_member):
    left = [left_member(make_member, on=dt.date(2025, 1, 10)) for _ in range(3)]

    first = anonymise(D)
    again = anonymise(D)

    assert first["anonymised"] == 3
    assert again["anonymised"] == 0
    lines = list(AuditLog.objects.filter(action="anonymise"))
    assert len(lines) == 1
    assert "program=east" in lines[0].detail
    assert "members=3" in lines[0].detail
    assert left[0].member_id in lines[0].detail
    assert Member.objects.filter(email__endswith="@anonymised.invalid").count() == 3


def test_the_retention_of_the_program_file_counts_from_the_day_of_leaving(make_member):
    member = left_member(make_member, on=dt.date(2027, 5, 1))  # east keeps 365 days

    assert members_anonymise(as_of=D).members["east"] == 0
    assert members_anonymise(as_of=dt.date(2028, 5, 2)).members["east"] == 1
    member.refresh_from_db()
    assert member.is_anonymised
