"""A program end in Chromium: the banner, a refused registration and a refused exchange."""

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from memberclub.domain.program_end import EndDates
from memberclub.members.models import Member
from memberclub.programs.ending import program_end_schedule
from memberclub.rewards.models import Redemption
from tests.rewards_support import give, load_catalogs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple 7"
# Screenshots for a person to look at, when asked for (SCREENSHOTS=dir).
SHOTS = os.environ.get("SCREENSHOTS")


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    """A fresh Chromium page whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, locale="ja-JP")
    yield context.new_page()
    context.close()


@pytest.fixture
def member(make_member) -> Member:
    """A member with 10,000 points on this machine's line (LINE level without an auth key)."""
    load_catalogs()
    member = make_member(line_prefixes="127.0.0.0/8")
    member.user.set_password(PASSWORD)
    member.user.save()
    give(member, 10_000, on=timezone.localdate().replace(day=1))
    return Member.objects.get(pk=member.pk)


def _end(announce: int, closes: int, ends: int) -> None:
    today = timezone.localdate()
    day = [today + dt.timedelta(days=offset) for offset in (announce, closes, ends)]
    program_end_schedule(
        program="east", dates=EndDates(day[0], day[1], day[0].replace(day=1), day[2]), by="test"
    )


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def log_in(page, member: Member) -> None:
    page.goto("/login/")
    page.fill("#id_username", member.member_id)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/")


def press(page, label: str) -> None:
    page.locator("main").get_by_role("button", name=label, exact=True).click()


def test_the_banner_shows_the_dates_and_registration_is_refused(page, member, make_contract):
    _end(-40, 0, 10)
    make_contract(customer_id="CAF7777777", access_key="KEY-7777")
    log_in(page, member)

    banner = page.locator(".program-end-banner")
    assert "をもって終了します" in banner.inner_text()
    assert "ポイント交換の最終日" in banner.inner_text()
    _shot(page, "program-end-banner")
    page.context.clear_cookies()
    page.goto("/register/")
    page.fill("#id_customer_id", "CAF7777777")
    page.fill("#id_access_key", "KEY-7777")
    page.locator("main button[type=submit]").click()

    assert page.locator("main h1").inner_text() == "新規入会の受付は終了しました"
    _shot(page, "registration-closed")
    assert Member.objects.count() == 1


def test_an_exchange_on_the_end_date_is_refused(page, member):
    _end(-40, -30, 0)
    log_in(page, member)

    page.goto("/exchange/")
    assert "ポイントプログラムは終了しました" in page.locator("main").inner_text()
    page.get_by_role("link", name="新潟県産コシヒカリ 5kg").click()
    press(page, "同意して交換する")
    page.locator("main").get_by_role("button", name="はい", exact=True).click()
    page.wait_for_url("**/exchange/confirm/**")
    press(page, "送信")

    assert "ポイントの交換はできません" in page.locator("main").inner_text()
    _shot(page, "exchange-refused")
    assert not Redemption.objects.exists()
