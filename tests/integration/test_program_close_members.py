"""What a program's close ends for its members (SPEC §3.4, §9), read from the program's end.

The close writes no member rows: each effect of "membership ended on the end date" is derived
where it is read, and each is checked here as a member or an operator meets it.
"""

import datetime as dt
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from memberclub.api.tokens import api_key_create, personal_token_create
from memberclub.cli.main import main
from memberclub.console.dashboard import mail_queue
from memberclub.domain.errors import Refused
from memberclub.domain.program import Level
from memberclub.domain.program_end import EndDates
from memberclub.jobs.export import points_export
from memberclub.jobs.mailer import notice_mail_send_batch
from memberclub.members.models import Member
from memberclub.members.selectors import membership_left_on
from memberclub.membership.profile import member_leave
from memberclub.notifications.models import MailStatus, NoticeMail
from memberclub.programs.ending import program_end_schedule
from memberclub.programs.models import ProgramEnd
from memberclub.rewards.services import redemption_cancel
from memberclub.storage.models import StoredFile
from memberclub.storage.selectors import storage_space
from tests.portal_support import LINE_IP, OFF_IP, PASSWORD, logged_in, with_password
from tests.rewards_support import give, load_catalogs, redeem
from tests.storage_support import upload, use_local_storage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """A command closes every connection when it ends; the test's transaction must survive it."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def member(make_member, today):
    load_catalogs()
    member = with_password(make_member())
    give(member, 10_000, on=today.replace(day=1) - dt.timedelta(days=40))
    return member


def _run(capsys, *args: str) -> tuple[int, dict]:
    status = main(["memberclub", *args, "--json"])
    return status, json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def _end_today(today: dt.date) -> ProgramEnd:
    """An east end announced 40 days ago whose end date is today."""
    announce = today - dt.timedelta(days=40)
    return program_end_schedule(
        program="east",
        dates=EndDates(announce, today - dt.timedelta(days=30), announce.replace(day=1), today),
        by="test",
    )


def _close(capsys, today: dt.date) -> dict:
    status, closed = _run(capsys, "program", "close", "--program", "east", "--as-of", str(today))
    assert status == 0
    return closed


def _log_in(member: Member):
    return Client().post(
        "/login/", {"username": member.member_id, "password": PASSWORD}, REMOTE_ADDR=OFF_IP
    )


def _end_of_next_month(day: dt.date) -> dt.date:
    after_next = (day.replace(day=1) + dt.timedelta(days=62)).replace(day=1)
    return after_next - dt.timedelta(days=1)


def test_after_the_close_no_login_session_or_token_reaches_the_member(capsys, member, today):
    _end_today(today)
    session = logged_in(member)
    token = personal_token_create(member=member, name="app", level=Level.LINE).secret
    bearer = f"Bearer {token}"
    # On the end date, before the close has run: still a member, whose exchange is refused.
    assert _log_in(member).status_code == 302
    assert session.get("/history/", REMOTE_ADDR=LINE_IP).status_code == 200
    refused = Client().post(
        "/api/v1/me/redemptions",
        {"item": "E-RICE-5KG"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k1",
        HTTP_AUTHORIZATION=bearer,
    )
    assert refused.status_code == 409 and refused.json()["code"] == "program_ended"

    closed = _close(capsys, today)

    assert closed["members_ended"] == 1 and closed["forfeited"] == 10_000
    login = _log_in(member)
    assert login.status_code == 200
    assert "会員IDまたはパスワードが正しくありません" in login.content.decode()
    assert session.get("/history/", REMOTE_ADDR=LINE_IP).status_code == 302
    assert Client().get("/api/v1/me/points", HTTP_AUTHORIZATION=bearer).status_code == 401
    assert membership_left_on(member=member) == today
    assert Member.objects.get(pk=member.pk).left_on is None  # derived, not written


def test_a_redemption_made_before_the_end_can_no_longer_be_cancelled_after_it(
    capsys, member, today
):
    redemption = redeem(member, "E-RICE-5KG", key="r1", on=today - dt.timedelta(days=1))
    _end_today(today)
    _close(capsys, today)

    with pytest.raises(Refused, match="left on"):
        redemption_cancel(
            redemption_id=redemption.redemption.pk, on=today, by="support", reason="late"
        )


def test_files_are_read_only_until_the_end_of_the_next_month_then_purged(
    capsys, settings, tmp_path, member, today
):
    use_local_storage(settings, tmp_path / "storage")
    upload(logged_in(member), "写真.zip", b"zip" * 10)
    _end_today(today)
    _close(capsys, today)
    until = _end_of_next_month(today)

    assert storage_space(member=member, on=today).read_only_until == until
    browser = Client()
    signed_in = browser.post(
        "/storage/former/", {"username": member.member_id, "password": PASSWORD}
    )
    page = browser.get("/storage/").content.decode()
    assert signed_in.status_code == 303
    assert "写真.zip" in page
    assert f"{until.year}年{until.month}月{until.day}日までダウンロードできます" in page
    assert upload(browser, "new.txt", b"x").status_code == 409
    _, kept = _run(capsys, "storage", "purge", "--as-of", str(until))
    _, purged = _run(capsys, "storage", "purge", "--as-of", str(until + dt.timedelta(days=1)))
    assert (kept["files"], purged["files"], purged["members"]) == (0, 1, 1)
    assert not StoredFile.objects.exists()


def test_the_console_and_the_operator_api_show_the_membership_ended_on_the_end_date(
    capsys, member, make_member, today
):
    earlier = with_password(make_member())
    member_leave(member=earlier, on=today - dt.timedelta(days=3))
    _end_today(today)
    _close(capsys, today)
    staff = get_user_model().objects.create_user(username="support-1", is_staff=True)
    staff.groups.add(Group.objects.get(name="SUPPORT"))
    console = Client()
    console.force_login(staff)
    operator = api_key_create(name="crm", scopes=["members:read"]).secret

    page = console.get(f"/console/members/member/{member.pk}/change/").content.decode()
    listed = console.get("/console/members/member/").content.decode()
    info = Client().get(
        f"/api/v1/members/{member.member_id}", HTTP_AUTHORIZATION=f"Bearer {operator}"
    )
    left_earlier = Client().get(
        f"/api/v1/members/{earlier.member_id}", HTTP_AUTHORIZATION=f"Bearer {operator}"
    )

    shown = f"{today.year}年{today.month}月{today.day}日"
    assert shown in page and shown in listed
    assert info.json()["left_on"] == today.isoformat()
    # A member who left before the end keeps the day of leaving.
    assert left_earlier.json()["left_on"] == (today - dt.timedelta(days=3)).isoformat()


def test_no_notice_goes_to_a_member_of_a_closed_program(capsys, member, today):
    queued = NoticeMail.objects.create(
        member=member,
        program="east",
        kind="balance",
        period="test",
        send_after=timezone.now(),
        created_at=timezone.now(),
    )
    member.email_bouncing_since = timezone.now()
    member.save(update_fields=["email_bouncing_since"])
    assert mail_queue().bouncing == 1
    _end_today(today)
    _close(capsys, today)
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).strftime("%Y-%m")

    assert mail_queue().bouncing == 0  # a former member's address is no one's concern
    Member.objects.filter(pk=member.pk).update(email_bouncing_since=None)

    status, notices = _run(capsys, "notices", "--program", "east", "--month", next_month)
    sent = notice_mail_send_batch()

    assert status == 0 and notices["queued"] == 0
    assert sent.suppressed == 1
    queued.refresh_from_db()
    assert queued.status == MailStatus.SUPPRESSED and "left" in queued.last_error


def test_members_of_a_closed_program_are_anonymised_after_the_retention(capsys, member, today):
    _end_today(today)
    _close(capsys, today)

    def anonymise(as_of: dt.date) -> int:
        out = io.StringIO()
        call_command("members", "anonymise", "--as-of", str(as_of), "--json", stdout=out)
        return int(json.loads(out.getvalue().strip().splitlines()[-1])["anonymised"])

    assert anonymise(today + dt.timedelta(days=365)) == 0
    assert anonymise(today + dt.timedelta(days=366)) == 1
    assert Member.objects.get(pk=member.pk).is_anonymised


def test_after_the_close_the_export_holds_nothing_and_the_end_cannot_be_withdrawn(
    capsys, member, today, tmp_path
):
    _end_today(today)
    _close(capsys, today)

    exported = points_export(as_of=today, out=tmp_path / "points.csv")
    status, withdrawn = _run(
        capsys,
        "program", "end", "--program", "east", "--cancel",
        "--on", str(today - dt.timedelta(days=1)),
    )  # fmt: skip

    assert (exported.rows, exported.points) == (0, 0)
    assert status == 2 and "can no longer be withdrawn" in withdrawn["error"]
    assert ProgramEnd.objects.get().canceled_on is None
