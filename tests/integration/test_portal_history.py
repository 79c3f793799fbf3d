"""The points history as a member uses it: what each change was, the balance after it,
filters by kind and period, and pages that keep the filters."""

import datetime as dt

import pytest

from memberclub.jobs.expiry import expiry_run
from memberclub.ledger.services import points_credit
from tests.portal_support import LINE_IP, logged_in, with_password
from tests.rewards_support import load_catalogs, redeem

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def member(make_member):
    load_catalogs()
    member = with_password(make_member(customer_id="CAF6200001"))
    account = member.account.pk
    points_credit(account_id=account, points=100, award_on=D(2023, 6, 1), key="old", rule="monthly")
    points_credit(
        account_id=account, points=5000, award_on=D(2026, 10, 1), key="m10", rule="monthly"
    )
    points_credit(
        account_id=account, points=1000, award_on=D(2026, 11, 1), key="b", rule="renewal_bonus"
    )
    expiry_run(program="east", as_of=D(2026, 4, 1))
    redeem(member, "E-LED-4", key="led", on=D(2026, 11, 26))
    redeem(member, "E-FEE", key="fee", on=D(2026, 12, 1), points=1200)
    return member


def _history(member, query: str = "") -> str:
    return logged_in(member).get(f"/history/{query}", REMOTE_ADDR=LINE_IP).text


def _rows(page: str) -> list[str]:
    body = page.split("<tbody>")[1].split("</tbody>", maxsplit=1)[0]
    return body.split("<tr>")[1:]


def test_each_change_says_what_it_was_for_with_the_balance_after_it(member):
    page = _history(member)
    rows = _rows(page)

    balances = [row.split('balance-after">')[1].split("<")[0] for row in rows]

    assert "料金への充当 2027年1月請求分" in rows[0] and "-1,200" in rows[0]
    assert "LED電球 4個パック" in rows[1]
    assert "継続特典" in rows[2] and "+1,000" in rows[2]
    assert "マンスリーポイント" in rows[3]
    assert "有効期限切れ" in rows[4]
    assert balances == ["3,600", "4,800", "6,000", "5,000", "0", "100"]
    assert "2026/12/01" in rows[0]
    assert "E-FEE" not in page and "REDEEM" not in page


def test_the_filters_by_kind_and_period_keep_the_running_balance_of_the_whole_journal(member):
    used = _rows(_history(member, "?kind=used"))
    november = _rows(_history(member, "?since=2026-11-01&until=2026-11-30"))

    assert len(used) == 2 and "充当" in used[0] and "LED" in used[1]
    assert 'balance-after">3,600<' in used[0]  # after the fee payment, over every entry
    assert len(november) == 2
    assert "継続特典" in november[1]


def test_a_period_that_ends_before_it_starts_is_explained_in_japanese(member):
    page = _history(member, "?since=2026-12-01&until=2026-11-01")

    assert "終了日が開始日より前になっています。" in page


def test_pages_keep_the_filters(member):
    for n in range(1, 25):
        on = D(2024, 1, 1) + dt.timedelta(days=n * 20)
        points_credit(
            account_id=member.account.pk, points=10, award_on=on, key=f"x{n}", rule="monthly"
        )

    page = _history(member, "?kind=earned")

    assert "?kind=earned&amp;page=2" in page
    assert "1 / 2" in page
