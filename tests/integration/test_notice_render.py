"""A batch renders each kind and language once and fills in each member's own values: the
notices must read exactly as if each had been rendered whole (SPEC §8)."""

import datetime as dt
import email
import email.policy

import pytest

from memberclub.jobs.notice_mime import fits_8bit, notice_bytes
from memberclub.jobs.notice_render import NoticeRenderer, notice_context
from memberclub.jobs.notices import notices_run
from memberclub.ledger.services import points_credit
from memberclub.members.models import Member
from memberclub.notifications.models import NoticeMail
from memberclub.notifications.tasks import render_email

pytestmark = pytest.mark.django_db
D = dt.date


def _member(make_member, nickname: str, language: str, points: int) -> Member:
    member: Member = make_member()
    Member.objects.filter(pk=member.pk).update(nickname=nickname, language=language)
    member.refresh_from_db()
    points_credit(account_id=member.account.pk, points=points, award_on=D(2024, 5, 1), key=nickname)
    return member


def test_each_notice_of_a_batch_reads_as_if_rendered_whole(make_member, settings):
    settings.SITE_URL = "https://club.example"
    _member(make_member, "花子", "ja", 1200)
    _member(make_member, '<Tom & "Jerry">', "en", 2500)
    _member(make_member, "太郎", "ja", 980)
    notices_run(program="east", month=D(2027, 1, 1))
    renderer = NoticeRenderer()

    mails = list(NoticeMail.objects.select_related("member").order_by("id"))
    assert len(mails) == 6  # a balance notice and an expiry warning each
    for mail in mails:
        whole = render_email(
            kind=mail.kind,
            language=mail.member.language,
            context=notice_context(mail=mail, member=mail.member),
        )
        notice = renderer.render(mail=mail, member=mail.member)
        assert (notice.subject, notice.text, notice.html) == whole
    html = renderer.render(mail=mails[2], member=mails[2].member).html
    assert "&lt;Tom &amp; &quot;Jerry&quot;&gt;" in html and "2,500 points" in html


def test_the_bytes_of_a_notice_parse_back_to_its_headers_and_parts(make_member, settings):
    settings.SITE_URL = "https://club.example"
    _member(make_member, "花子", "ja", 1200)
    notices_run(program="east", month=D(2027, 1, 1))
    mail = NoticeMail.objects.select_related("member").get(kind="balance")
    notice = NoticeRenderer().render(mail=mail, member=mail.member)
    assert fits_8bit(notice.text, notice.html)

    raw = notice_bytes(
        sender="クラブ <club@memberclub.example>",
        to="hanako@example.com",
        subject=notice.subject,
        text=notice.text,
        html=notice.html,
        headers={"List-Unsubscribe": f"<{notice.unsubscribe_url}>"},
    )
    parsed = email.message_from_bytes(raw.content, policy=email.policy.default)

    assert parsed["Subject"] == "ポイント残高のお知らせ（2027年1月）"
    assert parsed["From"].addresses[0].display_name == "クラブ"
    assert parsed["Date"].endswith("+0900")
    assert parsed["List-Unsubscribe"] == f"<{notice.unsubscribe_url}>"
    # SMTP's line ends are CRLF; the bodies are otherwise as rendered.
    plain, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content().replace("\r\n", "\n") == notice.text
    assert html.get_content().replace("\r\n", "\n") == notice.html
    assert raw.recipient == "hanako@example.com"
    assert not fits_8bit("x" * 999)
