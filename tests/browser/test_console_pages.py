"""The console in Chromium at 1280 px, as finance and admin staff use it: the dashboard, each
report with its chart and table, the CSV download, the adjustment form and the redemption list.
With UPDATE_SCREENSHOTS=1 the pages are saved to docs/screenshots.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from memberclub.ledger.models import Entry
from memberclub.members.models import Member
from memberclub.reports.selectors import liability_roll_forward
from tests.portal_support import PASSWORD
from tests.report_support import busy_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTH = 1280


def _logged_in(browser: Any, live_server: Any, role: str) -> Any:
    staff = get_user_model().objects.create_user(
        username=role.lower(), password=PASSWORD, is_staff=True
    )
    staff.groups.add(Group.objects.get(name=role))
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": WIDTH, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    page.goto("/console/login/")
    page.fill("#id_username", role.lower())
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/console/")
    return page


@pytest.fixture
def page(browser, live_server, make_member) -> Iterator[Any]:
    """A finance user logged in to the console, in a 1280 px wide window, with a busy ledger."""
    busy_ledger(make_member)
    page = _logged_in(browser, live_server, "FINANCE")
    yield page
    page.context.close()


@pytest.fixture
def admin_page(browser, live_server, make_member) -> Iterator[Any]:
    """An ADMIN user logged in, with a busy ledger."""
    busy_ledger(make_member)
    page = _logged_in(browser, live_server, "ADMIN")
    yield page
    page.context.close()


def screenshot(page: Any, name: str) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def fits(page: Any) -> bool:
    """True when nothing runs off the side of the window."""
    return bool(
        page.evaluate(
            """() => document.documentElement.scrollWidth <= window.innerWidth
                && [...document.querySelectorAll('.results, .report-table, table')].every(
                    (box) => box.scrollWidth <= box.clientWidth + 1)"""
        )
    )


def test_the_dashboard_is_the_home_with_the_jobs_and_the_queues(page):
    assert page.locator("#last-runs").get_by_text("月次ポイント付与").count() >= 1
    assert page.locator("#email-queue h2").inner_text() == "メール送信キュー"
    assert "審査待ちのらくらく登録" in page.locator("#review-queue").inner_text()
    assert fits(page)
    screenshot(page, "console-dashboard")


@pytest.mark.parametrize(
    ("report", "link"),
    [
        ("liability", "ポイント負債の増減（ロールフォワード）"),
        ("outstanding", "有効期限別のポイント残高"),
        ("redemptions", "商品別の交換実績"),
        ("breakage", "付与年度別の失効・没収率"),
    ],
)
def test_each_report_has_a_chart_beside_its_table(page, report, link):
    page.get_by_role("link", name="レポート").first.click()
    page.get_by_role("link", name=link, exact=True).click()
    page.get_by_label("ポイントプログラム").select_option("east")
    if report in ("liability", "redemptions"):
        page.locator("#id_fy").fill("2026" if report == "liability" else "2027")
    else:
        page.locator("#id_as_of").fill("2027-06-30")
    page.get_by_role("button", name="表示する").click()

    chart = page.locator(".report-chart svg")
    assert chart.count() == 1 and chart.locator("title, .title").count() >= 1
    assert page.locator("#report-table tbody tr").count() >= 1
    assert fits(page)
    screenshot(page, f"console-report-{report}")


def test_the_liability_csv_downloads_with_a_bom_and_the_closing_figure(page):
    closing = liability_roll_forward(program="east", fiscal_year=2026).closing
    page.goto("/console/reports/entrysummary/liability/?program=east&fy=2026&by=month")

    with page.expect_download() as download:
        page.get_by_role("link", name="CSVをダウンロード").click()
    body = Path(download.value.path()).read_bytes()

    assert body.startswith(b"\xef\xbb\xbf")
    assert body.decode("utf-8-sig").splitlines()[-1].endswith(f",{closing}")


def test_admin_adjusts_points_and_sees_the_reason_in_the_history(admin_page):
    page = admin_page
    member = Member.objects.filter(program="east", left_on__isnull=True).first()
    assert member is not None
    page.goto(f"/console/members/member/{member.pk}/change/")
    page.locator("#adjust").click()
    page.locator("#id_points").fill("1200")
    page.locator("#id_reason").fill("配送遅延のお詫び")
    screenshot(page, "console-adjust")
    page.get_by_role("button", name="ポイントを調整する").click()

    assert "+1,200 ポイント調整しました" in page.locator(".messagelist").inner_text()
    assert "配送遅延のお詫び" in page.locator("#history").inner_text()
    assert Entry.objects.filter(account=member.account, reason="配送遅延のお詫び").count() == 1


def test_the_redemption_list_fits_the_screen_in_japanese(admin_page):
    page = admin_page
    page.goto("/console/rewards/redemption/")

    assert page.locator("#result_list").get_by_text("受付済み").count() >= 1
    assert page.locator("#changelist-filter").get_by_text("受付済み").count() == 1
    assert fits(page)
    screenshot(page, "console-redemptions")
