"""The console's home: ADMIN finds the program-end form from it, the email queue shows the
notices waiting and failed and the addresses that bounce, in Japanese (SPEC §8, §10), and the
runs due list an expiry while points past their last day are left."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from memberclub.jobs.expiry import expiry_run
from memberclub.jobs.notices import notices_run
from memberclub.ledger.services import points_credit
from memberclub.members.models import Member
from memberclub.notifications.models import MailStatus, NoticeMail
from tests.integration.test_console import staff_client

pytestmark = pytest.mark.django_db


def _text(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(p|ul)>', html, flags=re.S)
    assert match is not None, element_id
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_admin_finds_the_program_end_form_on_the_home_page(programs):
    admin, _ = staff_client("ADMIN")
    support, _ = staff_client("SUPPORT")

    home = admin.get("/console/").content.decode()
    other = support.get("/console/").content.decode()

    assert 'href="/console/program-end/east/"' in home
    assert 'href="/console/program-end/west/"' in home
    assert "プログラムの終了" in home and "の終了の設定・取り消し" in home
    assert admin.get("/console/program-end/east/").status_code == 200
    # Not offered to whom the form refuses.
    assert "/console/program-end/" not in other
    assert support.get("/console/program-end/east/").status_code == 403


def test_the_email_queue_shows_notices_waiting_failed_and_bouncing_addresses(make_member):
    members = [make_member() for _ in range(4)]
    Member.objects.filter(pk__in=[m.pk for m in members]).update(mail_opt_in=True)
    notices_run(program="east", month=dt.date(2027, 1, 1))
    NoticeMail.objects.filter(member=members[0]).update(status=MailStatus.FAILED)
    since = timezone.now() - dt.timedelta(days=3)
    Member.objects.filter(pk=members[1].pk).update(
        email="gone@example.com", email_bouncing_since=since
    )
    Member.objects.filter(pk=members[2].pk).update(
        email="left@example.com", email_bouncing_since=since, left_on=dt.date(2026, 11, 30)
    )
    client, _ = staff_client("SUPPORT")

    home = client.get("/console/").content.decode()

    assert _text(home, "notice-queue") == "お知らせメール: 3 件待ち ／ 失敗: 1"
    assert _text(home, "bouncing") == "届かないアドレス: 1"
    bouncing = home[home.index('id="bouncing"') :]
    assert members[1].member_id in bouncing and "gone@example.com" in bouncing
    assert f"{timezone.localdate(since).day}日から" in bouncing
    assert "left@example.com" not in home  # who left gets no mail


def test_the_home_lists_an_expiry_as_due_until_it_has_run(make_member):
    member = make_member()
    today = timezone.localdate()
    # Awarded four fiscal years ago: its last usable day has passed.
    points_credit(
        account_id=member.account.pk, points=500, award_on=dt.date(today.year - 4, 6, 1), key="old"
    )
    client, _ = staff_client("SUPPORT")
    due = f"expire --program east --as-of {today.isoformat()}"

    before = client.get("/console/").content.decode()
    expiry_run(program="east", as_of=today)
    after = client.get("/console/").content.decode()

    assert due in before
    assert "expire --program" not in after
