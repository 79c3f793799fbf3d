"""Sending club notices: batches over one connection, bounces, retries, one-click unsubscribe."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from memberclub.domain.program_end import EndDates
from memberclub.jobs.mailer import notice_mail_send
from memberclub.jobs.notices import notices_run
from memberclub.jobs.program_end import program_end_announce
from memberclub.ledger.services import points_credit
from memberclub.members.models import Member
from memberclub.members.unsubscribe import unsubscribe_token
from memberclub.membership.profile import email_change_confirm
from memberclub.notifications.models import MailStatus, NoticeMail
from tests.mail_support import RefusingSmtp

pytestmark = pytest.mark.django_db
D = dt.date
LATER = dt.timedelta(hours=2)


@pytest.fixture
def smtp(settings):
    """A local SMTP server that refuses bounce@ (550) and is busy once for busy@ (451)."""
    with RefusingSmtp(bouncing=("bounce@example.com",), busy_once=("busy@example.com",)) as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.SITE_URL = "https://club.example"
        yield server


def _member(make_member, email: str, language: str = "ja") -> Member:
    member: Member = make_member()
    Member.objects.filter(pk=member.pk).update(email=email, language=language)
    member.refresh_from_db()
    points_credit(account_id=member.account.pk, points=1200, award_on=D(2024, 5, 1), key=email)
    return member


def _send(at: dt.datetime | None = None):
    from memberclub.jobs import mailer

    return mailer.notice_mail_send_batch(now=at or timezone.now() + LATER)


def test_a_batch_goes_over_one_connection_in_each_members_language(smtp, make_member):
    _member(make_member, "hanako@example.com")
    _member(make_member, "jane@example.com", language="en")
    notices_run(program="east", month=D(2027, 1, 1))

    result = _send()

    assert (result.claimed, result.sent) == (4, 4)
    assert smtp.connections == 1
    by_to: dict[str, list] = {}
    for message in smtp.messages:
        by_to.setdefault(str(message["To"]), []).append(message)
    ja = {str(m["Subject"]).strip() for m in by_to["hanako@example.com"]}
    en = {str(m["Subject"]).strip() for m in by_to["jane@example.com"]}
    assert ja == {"ポイント残高のお知らせ（2027年1月）", "ポイントの有効期限は2027年3月31日です"}
    assert en == {"Your points balance (January 2027)", "Your points expire on 31 March 2027"}
    balance = next(m for m in by_to["hanako@example.com"] if "残高" in str(m["Subject"]).strip())
    text, html = smtp.part(balance, "plain"), smtp.part(balance, "html")
    assert "1,200 ポイント" in text and "2027年3月31日" in text
    assert "1,200 ポイント" in html and 'lang="ja"' in html
    assert balance["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert balance["List-Unsubscribe"].strip().startswith("<https://club.example/unsubscribe/")
    assert set(NoticeMail.objects.values_list("status", flat=True)) == {MailStatus.SENT}


def test_a_permanent_refusal_marks_the_address_bouncing_and_stops_mail(smtp, make_member):
    bouncing = _member(make_member, "bounce@example.com")
    _member(make_member, "ok@example.com")
    notices_run(program="east", month=D(2027, 1, 1))

    result = _send()

    assert result.bounced == 2 and result.sent == 2
    bouncing.refresh_from_db()
    assert bouncing.email_bouncing_since is not None
    assert set(NoticeMail.objects.filter(member=bouncing).values_list("status", flat=True)) == {
        MailStatus.BOUNCED
    }
    notices_run(program="east", month=D(2027, 2, 1))
    later = _send()
    assert later.suppressed == 1 and later.sent == 1
    assert "bounce@example.com" not in smtp.recipients()
    # The member's top page says so.
    client = Client()
    client.force_login(bouncing.user)
    page = client.get("/", REMOTE_ADDR="192.0.2.10").content.decode()
    assert "メールが届いていません" in page


def test_a_new_address_gets_mail_again(smtp, make_member):
    member = _member(make_member, "bounce@example.com")
    Member.objects.filter(pk=member.pk).update(email_bouncing_since=timezone.now())
    from django.core import signing

    from memberclub.membership.profile import EMAIL_CHANGE_SALT

    token = signing.dumps(
        {"m": member.pk, "old": "bounce@example.com", "new": "new@example.com"},
        salt=EMAIL_CHANGE_SALT,
    )
    email_change_confirm(token=token)
    notices_run(program="east", month=D(2027, 2, 1))

    assert _send().sent == 1
    assert smtp.recipients() == ["new@example.com"]


def test_a_temporary_refusal_is_retried_later_and_sent_once(smtp, make_member):
    _member(make_member, "busy@example.com")
    notices_run(program="east", month=D(2027, 2, 1))
    start = timezone.now() + LATER

    first = _send(start)
    too_soon = _send(start + dt.timedelta(seconds=10))
    second = _send(start + dt.timedelta(minutes=5))

    assert (first.retried, too_soon.claimed, second.sent) == (1, 0, 1)
    mail = NoticeMail.objects.get()
    assert (mail.status, mail.attempts) == (MailStatus.SENT, 2)
    assert smtp.recipients() == ["busy@example.com"]


def test_a_lost_connection_is_retried(settings, make_member):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    _member(make_member, "hanako@example.com")
    notices_run(program="east", month=D(2027, 2, 1))

    result = _send()

    assert result.retried == 1
    mail = NoticeMail.objects.get()
    assert mail.status == MailStatus.QUEUED and mail.send_after > timezone.now()


def test_program_end_mail_waits_for_the_announcement_day(smtp, make_member):
    member = _member(make_member, "hanako@example.com")
    points_credit(account_id=member.account.pk, points=2500, award_on=D(2098, 6, 1), key="late")
    program_end_announce(
        program="east",
        dates=EndDates(D(2099, 1, 10), D(2099, 2, 1), D(2099, 1, 1), D(2099, 6, 30)),
        by="test",
        on=D(2098, 12, 1),
    )

    assert notice_mail_send().claimed == 0
    assert smtp.messages == []
    the_day_before = _send(dt.datetime(2099, 1, 9, 14, 59, tzinfo=dt.UTC))
    announced = _send(dt.datetime(2099, 1, 9, 15, 0, tzinfo=dt.UTC))  # 00:00 JST
    assert the_day_before.claimed == 0
    assert announced.sent == 1
    assert str(smtp.messages[0]["Subject"]).strip() == "東日本光メンバーズクラブ終了のお知らせ"
    text = smtp.part(smtp.messages[0], "plain")
    assert "2099年6月29日" in text and "2099年6月30日" in text and "2,500 ポイント" in text


def test_one_click_unsubscribe_posts_without_a_session(make_member):
    member = _member(make_member, "hanako@example.com")
    url = f"/unsubscribe/{unsubscribe_token(member_id=member.pk)}/"
    browser = Client(enforce_csrf_checks=True)

    asked = browser.get(url)
    member.refresh_from_db()
    assert asked.status_code == 200 and member.mail_opt_in
    assert "配信を停止" in asked.content.decode()

    done = browser.post(url, {"List-Unsubscribe": "One-Click"})

    member.refresh_from_db()
    assert done.status_code == 200 and not member.mail_opt_in
    notices_run(program="east", month=D(2027, 1, 1))
    # The balance notice stops; the expiry warning is a service notice and still goes.
    assert set(NoticeMail.objects.values_list("kind", flat=True)) == {"expiry_warning"}


def test_a_forged_unsubscribe_link_changes_nothing(make_member):
    member = _member(make_member, "hanako@example.com")
    token = unsubscribe_token(member_id=member.pk)[:-2] + "xx"

    response = Client().post(f"/unsubscribe/{token}/")

    member.refresh_from_db()
    assert response.status_code == 404 and member.mail_opt_in


def test_a_killed_workers_claim_is_taken_up_when_its_lease_runs_out(smtp, make_member):
    from memberclub.jobs.mailer import LEASE, notice_mail_claim

    _member(make_member, "hanako@example.com")
    notices_run(program="east", month=D(2027, 2, 1))
    start = timezone.now() + LATER
    # A worker claims the notice and dies before sending it.
    assert len(notice_mail_claim(now=start, limit=10)) == 1

    meanwhile = _send(start + LEASE - dt.timedelta(seconds=1))
    after = _send(start + LEASE + dt.timedelta(seconds=1))

    assert (meanwhile.claimed, after.sent) == (0, 1)
    assert smtp.recipients() == ["hanako@example.com"]
