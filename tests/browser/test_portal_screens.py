"""The member's main pages in Chromium, in Japanese, for an east and a west member: top page,
history with filters, catalog, fee payment and an error page.

With UPDATE_SCREENSHOTS=1 each page is saved to docs/screenshots.
"""

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from memberclub.ledger.services import points_credit
from memberclub.members.models import Member
from memberclub.rewards.services import codes_load
from tests.rewards_support import load_catalogs, redeem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "correct horse battery staple 8"


@pytest.fixture
def page(browser, live_server) -> Iterator[Any]:
    """A phone-wide Chromium page in Japanese whose relative URLs go to the live server."""
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", viewport={"width": 900, "height": 900}
    )
    yield context.new_page()
    context.close()


def _member(make_member, program: str, customer_id: str) -> Member:
    """A member on this machine's line (LINE level) with a year of points and two exchanges."""
    load_catalogs()
    extra = {"discount": ""} if program == "west" else {}
    member = make_member(
        customer_id=customer_id, program=program, line_prefixes="127.0.0.0/8", **extra
    )
    member.user.set_password(PASSWORD)
    member.user.save()
    today = timezone.localdate()
    account = member.account.pk
    rule = "monthly" if program == "east" else "usage"
    for months in range(30, 0, -2):
        on = (today.replace(day=1) - dt.timedelta(days=months * 30)).replace(day=1)
        points_credit(account_id=account, points=800, award_on=on, key=f"g{months}", rule=rule)
    redeem(member, "E-LED-4" if program == "east" else "W-RAMEN-10", key="r1", on=today)
    redeem(member, "E-FEE" if program == "east" else "W-FEE", key="r2", on=today, points=700)
    return Member.objects.get(pk=member.pk)


@pytest.fixture
def east(make_member) -> Member:
    return _member(make_member, "east", "CAF6400001")


@pytest.fixture
def west(make_member) -> Member:
    return _member(make_member, "west", "CAF6400002")


def log_in(page: Any, member: Member) -> None:
    page.goto("/login/")
    page.fill("#id_username", member.member_id)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/")


def screenshot(page: Any, name: str) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_the_top_pages_show_each_programs_next_expiry_date(page, east, west):
    log_in(page, east)
    east_text = page.locator(".expiring").inner_text()
    screenshot(page, "top-east")
    page.context.clear_cookies()
    log_in(page, west)
    west_text = page.locator(".expiring").inner_text()
    screenshot(page, "top-west")

    assert "3月31日" in east_text and "ポイント" in east_text
    assert "4月30日" in west_text


def test_the_history_filters_by_kind_and_shows_the_balance_after_each_change(page, east):
    log_in(page, east)
    page.goto("/history/")
    page.select_option("#id_kind", "used")
    page.fill("#id_since", (timezone.localdate() - dt.timedelta(days=90)).isoformat())
    page.get_by_role("button", name="表示する").click()
    page.wait_for_url("**kind=used**")

    rows = page.locator("table.history tbody tr")
    assert rows.count() == 2
    assert "料金への充当" in rows.nth(0).inner_text()
    assert "LED電球" in page.locator("table.history").inner_text()
    screenshot(page, "history")


def test_the_catalog_filters_apply_when_a_category_is_chosen(page, east):
    for code in ("E-CINEMA", "E-CAFE-DRINK", "E-EBOOK-1"):
        codes_load(item_code=code, codes=[f"{code}-{n}" for n in range(20)])
    log_in(page, east)
    page.goto("/exchange/")
    assert page.locator(".item-card img").count() > 5
    screenshot(page, "catalog")

    page.locator(".chip", has_text="日用品").click()
    page.wait_for_url("**category=**")

    names = page.locator(".item-card .item-name").all_inner_texts()
    assert names and all("LED" in n or "タオル" in n for n in names)


def test_the_fee_payment_quick_choice_fills_the_amount(page, east):
    log_in(page, east)
    page.goto("/exchange/fee/")
    page.get_by_role("button", name="1,000 ポイント").click()

    assert page.locator("#id_points").input_value() == "1000"
    screenshot(page, "fee-payment")
    page.get_by_role("button", name="はい").click()
    page.wait_for_url("**/confirm/**")
    assert "1,000" in page.locator("main").inner_text()


def test_an_east_item_opened_by_a_west_member_is_the_portals_404(page, west):
    log_in(page, west)
    response = page.goto("/exchange/items/E-LED-4/")

    assert response.status == 404
    assert "ページが見つかりません" in page.locator("main").inner_text()
    page.get_by_role("link", name="トップページへ戻る").click()
    page.wait_for_url("**/")
    page.goto("/exchange/items/E-LED-4/")
    screenshot(page, "error-404")
