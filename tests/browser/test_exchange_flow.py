"""A member exchanges points in Chromium: goods through the auth key, fee payment, 送信 twice."""

from collections.abc import Iterator

import pytest
from django.utils import timezone

from memberclub.access.authkeys import auth_key_request, letters_issue
from memberclub.ledger.selectors import account_balance
from memberclub.members.models import Member
from memberclub.rewards.models import Redemption
from tests.rewards_support import give, load_catalogs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple 7"


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    """A fresh Chromium page whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, locale="ja-JP")
    yield context.new_page()
    context.close()


@pytest.fixture
def member(make_member) -> Member:
    """A member with 10,000 points whose contract line is not this machine (127.0.0.1)."""
    load_catalogs()
    member = make_member(line_prefixes="192.0.2.0/24")
    member.user.set_password(PASSWORD)
    member.user.save()
    give(member, 10_000, on=timezone.localdate().replace(day=1))
    return Member.objects.get(pk=member.pk)


def log_in(page, member: Member) -> None:
    page.goto("/login/")
    page.fill("#id_username", member.member_id)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/")


def press(page, label: str) -> None:
    page.locator("main").get_by_role("button", name=label, exact=True).click()


def test_a_goods_exchange_from_off_the_line_goes_through_the_auth_key(page, member):
    auth_key_request(member=member)
    key = letters_issue(today=timezone.localdate())[0].auth_key
    log_in(page, member)

    page.goto("/exchange/")
    page.get_by_role("link", name="新潟県産コシヒカリ 5kg").click()
    press(page, "同意して交換する")
    page.wait_for_url("**/auth-key/**")
    page.fill("#id_key", key)
    press(page, "このブラウザを登録する")
    page.wait_for_url("**/exchange/items/E-RICE-5KG/entry/")
    assert page.input_value("#id_address") == member.contract.address
    press(page, "はい")
    page.wait_for_url("**/exchange/confirm/**")
    assert "7,000" in page.locator("[data-balance-after]").inner_text()
    press(page, "送信")
    page.wait_for_url("**/exchange/done/**")

    redemption = Redemption.objects.get()
    assert page.locator("[data-redemption-number]").inner_text() == redemption.number
    assert account_balance(account_id=member.account.pk, as_of=timezone.localdate()) == 7000


def test_fee_payment_takes_the_cap_and_refuses_one_point_over(page, member):
    log_in(page, member)

    page.goto("/exchange/fee/")
    page.fill("#id_points", "5001")
    press(page, "はい")
    assert page.locator("#id_points_error").is_visible()
    page.fill("#id_points", "5000")
    press(page, "はい")
    press(page, "送信")
    page.wait_for_url("**/exchange/done/**")
    page.goto("/exchange/fee/")

    assert page.locator("[data-most]").inner_text() == "0"
    assert [r.points for r in Redemption.objects.all()] == [5000]


def test_a_double_click_and_going_back_to_the_confirmation_make_one_redemption(page, member):
    member.contract.line_prefixes = "127.0.0.0/8"
    member.contract.save()
    log_in(page, member)
    page.goto("/exchange/items/E-LED-4/entry/")
    press(page, "はい")
    page.wait_for_url("**/exchange/confirm/**")

    page.locator("main").get_by_role("button", name="送信", exact=True).dblclick()
    page.wait_for_url("**/exchange/done/**")
    done_url = page.url
    page.go_back()
    page.reload()  # the confirmation again, fetched anew: its token has been used
    page.wait_for_url("**/exchange/done/**")

    assert page.url == done_url
    assert Redemption.objects.count() == 1
    assert account_balance(account_id=member.account.pk, as_of=timezone.localdate()) == 8800
