"""`members anonymise --as-of D` (SPEC §10, APPI): members who left more than the program's
retention before D lose their email, nickname and login; the journal and customer ID stay."""

import datetime as dt
import io
import json
from collections.abc import Callable

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from memberclub.access.models import SignupToken
from memberclub.console.models import AuditLog
from memberclub.ledger.models import Entry
from memberclub.ledger.selectors import account_balance
from memberclub.members.models import Member
from memberclub.membership.privacy import members_anonymise
from memberclub.membership.profile import member_leave
from memberclub.notifications.models import NoticeMail, SentEmail
from memberclub.notifications.services import email_enqueue
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


def _mail_records(member: Member, address: str, month: int = 1) -> None:
    """A sent email, a notice that bounced, a registration link and a finished email task to
    `address`, as the member's mail would have left them."""
    now = timezone.now()
    SentEmail.objects.create(key=f"receipt:{member.pk}:{month}", kind="redemption_receipt",
                             to=address, sent_at=now)  # fmt: skip
    NoticeMail.objects.create(
        member=member, program="east", kind="balance", period=f"2026-{month:02d}", status="BOUNCED",
        send_after=now, created_at=now, sent_to=address, last_error=f"550 <{address}> unknown",
    )  # fmt: skip
    SignupToken.objects.create(
        contract=member.contract, email=address, nickname=member.nickname, token_digest=address,
        created_at=now, expires_at=now, used_at=now, member=member,
    )  # fmt: skip
    context = {"member_id": member.member_id, "link": "http://testserver/r/"}
    email_enqueue(kind="password_reset", to=address, language="ja", context=context,
                  key=f"reset:{member.pk}:{month}")  # fmt: skip
    DBTaskResult.objects.filter(args_kwargs__kwargs__to=address).update(status="SUCCESSFUL")


def test_the_copies_of_the_address_and_name_in_mail_records_are_replaced_too(make_member):
    gone = make_member()
    Member.objects.filter(pk=gone.pk).update(email="gone@example.com", nickname="ゆうこ")
    gone.refresh_from_db()
    _mail_records(gone, "gone@example.com")
    _mail_records(gone, "older@example.com", month=2)  # an address the member had before
    member_leave(member=gone, on=D - dt.timedelta(days=400))
    staying = make_member()
    _mail_records(staying, staying.email)

    first = anonymise(D)
    snapshot = (
        sorted(SentEmail.objects.values_list("key", "to")),
        sorted(NoticeMail.objects.values_list("id", "sent_to", "last_error")),
        sorted(SignupToken.objects.values_list("id", "email", "nickname")),
        DBTaskResult.objects.count(),
    )
    second = anonymise(D)

    assert first["anonymised"] == 1 and second["anonymised"] == 0
    everything = " ".join(str(part) for part in snapshot)
    assert "gone@example.com" not in everything and "older@example.com" not in everything
    assert "ゆうこ" not in everything
    assert SentEmail.objects.get(key=f"receipt:{gone.pk}:2").to == "anonymised@anonymised.invalid"
    notice = NoticeMail.objects.filter(member=gone).first()
    assert notice is not None
    assert notice.sent_to == f"anonymised-{gone.pk}@anonymised.invalid" and notice.last_error == ""
    assert DBTaskResult.objects.count() == 1  # the staying member's task alone
    # The member who stays keeps every record of their own mail.
    assert SentEmail.objects.get(key=f"receipt:{staying.pk}:1").to == staying.email
    assert NoticeMail.objects.get(member=staying).sent_to == staying.email
    assert SignupToken.objects.get(member=staying).email == staying.email
    assert DBTaskResult.objects.filter(args_kwargs__kwargs__to=staying.email).count() == 1
    # The second run changed nothing.
    assert snapshot == (
        sorted(SentEmail.objects.values_list("key", "to")),
        sorted(NoticeMail.objects.values_list("id", "sent_to", "last_error")),
        sorted(SignupToken.objects.values_list("id", "email", "nickname")),
        DBTaskResult.objects.count(),
    )
