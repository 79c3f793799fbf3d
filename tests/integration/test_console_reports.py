"""The console's reports and dashboard, as FINANCE, ADMIN and SUPPORT see them, in Japanese."""

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from memberclub.access.models import EasyRegistration
from memberclub.console.dashboard import business_days_between, review_queue
from memberclub.reports.selectors import liability_roll_forward
from tests.integration.test_console import staff_client
from tests.report_support import busy_ledger

pytestmark = pytest.mark.django_db
D = dt.date
REPORTS = ("liability", "outstanding", "redemptions", "breakage")
# Words an English admin page would show; none may appear on a Japanese page.
ENGLISH = re.compile(r"\b(Select|Change|Add|Action|Filter|Home|entries|Task|View site|Log out)\b")


@pytest.fixture
def ledger(make_member):
    return busy_ledger(make_member)


def _text(html: str) -> str:
    """The visible text of a page: no tags, scripts or styles."""
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("report", REPORTS)
def test_finance_sees_each_report_with_its_chart_and_table_in_japanese(ledger, report):
    client, _ = staff_client("FINANCE")

    page = client.get(
        f"/console/reports/entrysummary/{report}/?program=east&fy=2026&as_of=2027-06-30"
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'id="report-table"' in html
    assert "kozea.github.io" not in html  # no script from the web
    assert not ENGLISH.search(_text(html)), ENGLISH.search(_text(html))


def test_the_liability_page_shows_the_closing_figure_with_separators(ledger):
    client, _ = staff_client("ADMIN")
    closing = liability_roll_forward(program="east", fiscal_year=2026).closing

    html = client.get(
        "/console/reports/entrysummary/liability/?program=east&fy=2026&by=month"
    ).content.decode()

    assert "2026年度 合計" in html and f"{closing:,}" in html
    assert "期首残高" in html and "期末残高" in html and "2026年4月" in html


def test_the_liability_csv_opens_in_excel_and_ties_to_the_report(ledger):
    client, _ = staff_client("FINANCE")
    liability = liability_roll_forward(program="east", fiscal_year=2026, by_month=True)

    response = client.get(
        "/console/reports/entrysummary/liability/?program=east&fy=2026&by=month&format=csv"
    )

    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "期間" and rows[0][1] == "期首残高" and rows[0][-1] == "期末残高"
    assert len(rows) == 1 + 12 + 1
    assert int(rows[-1][-1]) == liability.closing
    assert [int(row[-1]) for row in rows[1:13]] == [m.closing for m in liability.months]


def test_support_sees_no_reports_in_the_menu_and_cannot_open_them(ledger):
    client, _ = staff_client("SUPPORT")

    home = client.get("/console/").content.decode()

    assert "レポート" not in _text(home)
    for report in REPORTS:
        assert client.get(f"/console/reports/entrysummary/{report}/").status_code == 403


def test_finance_finds_the_reports_in_its_menu(ledger):
    client, _ = staff_client("FINANCE")

    home = client.get("/console/").content.decode()
    index = client.get("/console/reports/", follow=True).content.decode()

    assert "レポート" in _text(home)
    assert "ポイント負債の増減" in index and "付与年度別の失効・没収率" in index


def test_a_bad_fiscal_year_is_an_error_in_japanese_and_shows_no_figures(ledger):
    client, _ = staff_client("FINANCE")

    page = client.get("/console/reports/entrysummary/liability/?program=east&fy=20x6")

    assert page.status_code == 200
    assert "整数を入力してください" in page.content.decode()
    assert 'id="report-table"' not in page.content.decode()


def test_the_dashboard_shows_the_jobs_and_queues_in_japanese(ledger):
    client, _ = staff_client("ADMIN")

    html = client.get("/console/").content.decode()

    assert "ジョブごとの最終実行" in html and "月次ポイント付与" in html
    assert "メール送信キュー" in html and "審査待ちのらくらく登録" in html
    assert not ENGLISH.search(_text(html)), ENGLISH.search(_text(html))


def test_japanese_holidays_do_not_count_as_business_days():
    # 2027-01-01 (New Year's Day) and the weekend 2–3 January; 4 January is a Monday.
    assert business_days_between(D(2026, 12, 31), D(2027, 1, 4)) == 1
    # Coming of Age Day, Monday 11 January 2027.
    assert business_days_between(D(2027, 1, 8), D(2027, 1, 12)) == 1


def test_the_review_queue_is_late_after_two_business_days():
    EasyRegistration.objects.create(
        holder_name="佐藤 美咲", phone="06-1111-2222", postal_code="5300001",
        address="大阪府", email="m@example.com", nickname="m", language="ja",
        created_at=timezone.make_aware(dt.datetime(2027, 1, 7, 10, 0)),
    )  # fmt: skip

    assert not review_queue(today=D(2027, 1, 8)).late
    assert review_queue(today=D(2027, 1, 13)).late  # Fri, (Mon holiday), Tue, Wed
