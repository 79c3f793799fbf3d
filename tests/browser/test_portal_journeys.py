"""The portal in Chromium, as a new member uses it: registration read from a real SMTP server,
easy registration approved in the console, the auth key from the letter, forged forwarding
headers, and leaving the club.

With UPDATE_SCREENSHOTS=1 the top, registration and auth-key pages are saved to docs/screenshots.
"""

import csv
import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from memberclub.ledger.models import Entry
from memberclub.ledger.selectors import account_balance
from memberclub.ledger.services import points_adjust
from memberclub.members.models import Member
from tests.portal_support import PASSWORD, SmtpSink, with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
NEW_PASSWORD = "Sakura-Tree-2026"


@pytest.fixture
def page(browser, live_server) -> Iterator[Any]:
    """A fresh page whose relative URLs go to the live server, as an English-set browser."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    yield context.new_page()
    context.close()


@pytest.fixture
def smtp(settings) -> Iterator[SmtpSink]:
    """A real SMTP server the portal's email goes to."""
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        yield sink


def screenshot(page: Any, name: str) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def deliver(smtp: SmtpSink) -> str:
    """Run the worker once through and return the text of the newest email."""
    call_command("worker", "--batch", verbosity=0)
    assert smtp.messages, "no email arrived"
    return smtp.text_of(smtp.messages[-1])


def link_in(text: str) -> str:
    match = re.search(r"https?://\S+/register/complete/\S+/", text)
    assert match is not None, text
    return match.group(0)


def press(page: Any, label: str) -> None:
    page.locator("main").get_by_role("button", name=label, exact=True).click()


def log_in(page: Any, member_id: str, password: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", member_id)
    page.fill("#id_password", password)
    press(page, "ログイン")
    page.wait_for_url("**/")


def complete_registration(page: Any, link: str) -> str:
    """Open the emailed link, choose a password, and return the member ID shown."""
    page.goto(link)
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    press(page, "登録を完了する")
    member_id = str(page.locator("#member-id").inner_text()).strip()
    assert re.fullmatch(r"MC\d{10}", member_id)
    return member_id


def test_standard_registration_end_to_end_with_the_email_from_a_real_smtp_server(
    page, smtp, make_contract
):
    make_contract(customer_id="CAF8000001", access_key="KEY-8001", program="west", plan="FAMILY")

    page.goto("/")
    page.get_by_role("link", name="会員登録", exact=True).first.click()
    screenshot(page, "registration")
    page.get_by_label("お客さまID").fill("CAF8000001")
    page.get_by_label("アクセスキー").fill("KEY-8001")
    press(page, "次へ")
    page.get_by_label("メールアドレス").fill("hanako@example.com")
    page.get_by_label("ニックネーム").fill("はなこ")
    press(page, "リンクを送る")
    assert "hanako@example.com" in page.locator("main").inner_text()

    link = link_in(deliver(smtp))
    assert smtp.messages[-1]["To"] == "hanako@example.com"
    member_id = complete_registration(page, link)

    assert member_id in deliver(smtp)  # the member ID is emailed too
    log_in(page, member_id, NEW_PASSWORD)
    main = page.locator("main").inner_text()
    assert "はなこ さん、こんにちは" in main
    assert "500" in page.locator(".balance-number").inner_text()  # west welcome points
    screenshot(page, "top")


def test_easy_registration_approved_by_a_staff_user_in_the_console(page, smtp, make_contract):
    make_contract(
        customer_id="CAF8000002",
        holder_name="佐藤 美咲",
        postal_code="530-0001",
        phone="06-1111-2222",
    )
    staff = get_user_model().objects.create_user(
        username="support", password=PASSWORD, is_staff=True
    )
    staff.groups.add(Group.objects.get(name="SUPPORT"))

    page.goto("/register/easy/")
    page.get_by_label("ご契約者さまのお名前").fill("佐藤 みさき")  # not the name on file
    page.get_by_label("電話番号").fill("06-1111-2222")
    page.get_by_label("郵便番号").fill("530-0001")
    page.get_by_label("住所").fill("大阪府大阪市北区梅田1-1")
    page.get_by_label("メールアドレス").fill("misaki@example.com")
    page.get_by_label("ニックネーム").fill("みさき")
    press(page, "申し込む")
    assert "お申し込みを受け付けました" in page.locator("main").inner_text()
    call_command("worker", "--batch", verbosity=0)
    assert smtp.messages == []  # waiting for review

    page.goto("/console/login/")
    page.fill("#id_username", "support")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    page.goto("/console/access/easyregistration/")
    page.get_by_role("link", name="審査する").click()
    page.get_by_label("CAF8000002").check()
    page.get_by_role("button", name="この契約で承認する").click()
    page.wait_for_url("**/console/access/easyregistration/")

    text = deliver(smtp)
    assert smtp.messages[-1]["To"] == "misaki@example.com"
    page.context.clear_cookies()
    member_id = complete_registration(page, link_in(text))
    member = Member.objects.get(member_id=member_id)
    assert member.contract.customer_id == "CAF8000002"


def test_points_history_off_the_line_goes_through_the_auth_key_from_the_letter(
    page, make_member, tmp_path
):
    member = with_password(make_member(customer_id="CAF8000003", line_prefixes="192.0.2.0/24"))
    points_adjust(
        account_id=member.account.pk, points=1500, on=dt.date(2026, 4, 1), reason="r", key="a"
    )
    log_in(page, member.member_id, PASSWORD)

    page.locator("nav").get_by_role("link", name="ポイント履歴").click()
    page.wait_for_url("**/auth-key/?next=%2Fhistory%2F")
    assert "回線認証が必要です" in page.locator("main").inner_text()
    press(page, "認証キーを申し込む")
    screenshot(page, "auth-key")

    call_command("letters", "export", str(tmp_path), verbosity=0)
    with (tmp_path / "manifest.csv").open(encoding="utf-8") as handle:
        key = next(csv.DictReader(handle))["auth_key"]
    page.get_by_label("認証キー").fill(key)
    press(page, "このブラウザを登録する")

    page.wait_for_url("**/history/")
    assert "+1,500" in page.locator("table").inner_text()
    assert "回線認証済み" in page.locator("nav").inner_text()


def test_a_forwarded_header_from_an_untrusted_peer_gives_no_line_level(page, make_member, settings):
    member = with_password(make_member(customer_id="CAF8000004", line_prefixes="192.0.2.0/24"))
    page.set_extra_http_headers({"X-Forwarded-For": "192.0.2.10"})
    log_in(page, member.member_id, PASSWORD)

    page.goto("/history/")
    assert "/auth-key/" in page.url

    settings.TRUSTED_PROXIES = ["127.0.0.0/8"]  # the same header, now from a trusted proxy
    page.goto("/history/")
    assert page.url.endswith("/history/")


def test_leaving_the_club_forfeits_the_points(page, make_member):
    member = with_password(make_member(customer_id="CAF8000005", line_prefixes="127.0.0.0/8"))
    today = timezone.localdate()
    points_adjust(account_id=member.account.pk, points=1234, on=today, reason="r", key="a")
    log_in(page, member.member_id, PASSWORD)

    page.locator("nav").get_by_role("link", name="設定").click()
    page.locator("main").get_by_role("link", name="退会する").click()
    assert "保有している 1,234 ポイントは失効します" in page.locator("main").inner_text()
    page.get_by_label("すべてのポイントが失効し、元に戻せないことを理解しました。").check()
    press(page, "退会する")

    assert "1,234 ポイントが失効しました" in page.locator("main").inner_text()
    assert account_balance(account_id=member.account.pk, as_of=today) == 0
    assert Entry.objects.get(account=member.account, kind="FORFEIT").points == -1234
    page.goto("/login/")
    page.fill("#id_username", member.member_id)
    page.fill("#id_password", PASSWORD)
    press(page, "ログイン")
    assert "会員IDまたはパスワードが正しくありません" in page.locator("main").inner_text()
