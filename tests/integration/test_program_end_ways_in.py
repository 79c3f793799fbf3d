"""A program end seen through the portal, the API and the console (SPEC §3.4)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from memberclub.api.tokens import personal_token_create
from memberclub.console.models import AuditLog
from memberclub.domain.program import Level
from memberclub.domain.program_end import EndDates
from memberclub.members.models import Member
from memberclub.programs.ending import program_end_schedule
from memberclub.programs.models import ProgramEnd
from memberclub.rewards.models import Redemption
from tests.rewards_support import give, load_catalogs

pytestmark = pytest.mark.django_db


def _end(days_from_today: tuple[int, int, int]) -> ProgramEnd:
    """An east end with D0, D1, D2 that many days from today (the last accrual month: D0's)."""
    today = timezone.localdate()
    announce, closes, ends = (today + dt.timedelta(days=d) for d in days_from_today)
    return program_end_schedule(
        program="east",
        dates=EndDates(announce, closes, announce.replace(day=1), ends),
        by="test",
    )


@pytest.fixture
def member(make_member):
    load_catalogs()
    member = make_member()
    give(member, 10_000, on=timezone.localdate().replace(day=1))
    return member


def test_every_page_shows_the_banner_from_the_announcement(member):
    client = Client()
    client.force_login(member.user)
    before = client.get("/", REMOTE_ADDR="192.0.2.10").content.decode()
    end = _end((0, 10, 40))

    top = client.get("/", REMOTE_ADDR="192.0.2.10").content.decode()
    catalog = client.get("/exchange/", REMOTE_ADDR="192.0.2.10").content.decode()
    visitor = Client().get("/register/").content.decode()

    assert "program-end-banner" not in before
    day = end.ends_on
    shown = f"{day.year}年{day.month}月{day.day}日をもって終了します"
    assert shown in top and shown in catalog and shown in visitor
    assert "東日本光メンバーズクラブ" in top


def test_registration_is_refused_with_a_clear_page_from_the_closing_date(make_contract):
    _end((-40, 0, 10))
    make_contract(customer_id="CAF7777777", access_key="K")

    page = Client().post("/register/", {"customer_id": "CAF7777777", "access_key": "K"})

    assert page.status_code == 403
    assert "新規入会の受付は終了しました" in page.content.decode()
    assert not Member.objects.exists()


def test_easy_registration_that_matches_a_closed_program_is_refused(make_contract):
    _end((-40, 0, 10))
    make_contract(holder_name="山田 太郎", phone="03-1234-5678", postal_code="1000001")

    page = Client().post(
        "/register/easy/",
        {
            "holder_name": "山田 太郎",
            "phone": "03-1234-5678",
            "postal_code": "100-0001",
            "address": "東京都千代田区千代田1-1",
            "email": "easy@example.com",
            "nickname": "たろう",
        },
    )

    assert page.status_code == 403
    assert "新規入会の受付は終了しました" in page.content.decode()
    assert not Member.objects.exists()


def test_the_api_refuses_a_redemption_from_the_end_date_with_409(member):
    _end((-40, -30, 0))
    token = personal_token_create(member=member, name="t", level=Level.LINE).secret

    response = Client().post(
        "/api/v1/me/redemptions",
        {"item": "E-RICE-5KG"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY="k1",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "program_ended"
    assert not Redemption.objects.exists()


def test_the_catalog_says_the_program_has_ended(member):
    _end((-40, -30, 0))
    client = Client()
    client.force_login(member.user)

    page = client.get("/exchange/", REMOTE_ADDR="192.0.2.10").content.decode()

    assert "ポイントプログラムは終了しました。ポイントの交換はできません。" in page


def _admin() -> Client:
    user = get_user_model().objects.create_user(username="admin-1", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="ADMIN"))
    client = Client()
    client.force_login(user)
    return client


def test_admin_schedules_and_withdraws_an_end_in_the_console_audited(member):
    client = _admin()
    today = timezone.localdate()
    dates = {
        "announce_on": today.isoformat(),
        "registration_closes_on": (today + dt.timedelta(days=10)).isoformat(),
        "last_accrual_month": f"{today:%Y-%m}",
        "ends_on": (today + dt.timedelta(days=20)).isoformat(),
    }

    short = client.post("/console/program-end/east/", {**dates, "schedule": "1"})
    assert "告知日から30日以上後" in short.content.decode()
    assert not ProgramEnd.objects.exists()

    dates["ends_on"] = (today + dt.timedelta(days=45)).isoformat()
    scheduled = client.post("/console/program-end/east/", {**dates, "schedule": "1"})
    assert scheduled.status_code == 302
    assert ProgramEnd.objects.get().created_by == "admin-1"
    canceled = client.post("/console/program-end/east/", {"cancel": "1"})
    assert canceled.status_code == 302
    assert ProgramEnd.objects.get().canceled_on == today
    assert list(AuditLog.objects.values_list("action", flat=True).order_by("id")) == [
        "program_end",
        "program_end_cancel",
    ]


def test_support_may_not_end_a_program(member):
    user = get_user_model().objects.create_user(username="s-1", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="SUPPORT"))
    client = Client()
    client.force_login(user)

    assert client.get("/console/program-end/east/").status_code == 403
