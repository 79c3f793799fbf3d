"""Console pages read in Japanese (or English by the same switch as the portal), coded values
by their names; the easy-registration review marks where a candidate differs."""

import re

import pytest

from memberclub.access.models import EasyRegistration
from memberclub.ledger.models import Entry
from tests.integration.test_console import staff_client
from tests.portal_support import easy_request
from tests.rewards_support import give, load_catalogs, redeem

pytestmark = pytest.mark.django_db
CODES = re.compile(
    r"\b(REQUESTED|FULFILLED|SHIPPED|GRANT|ADJUST|ACTIVE|NINEN_WARI|INDIVIDUAL|east)\b"
)


def _readonly_text(html: str) -> str:
    """The text of the read-only values on a change page (links to other records left out)."""
    values = " ".join(re.findall(r'<div class="readonly">(.*?)</div>', html, flags=re.S))
    return re.sub(r"<a [^>]*>.*?</a>", " ", values)


def test_support_reads_a_redemption_and_a_contract_without_codes(make_member):
    load_catalogs()
    member = make_member()
    give(member, 10_000)
    redemption = redeem(member, "E-RICE-5KG", key="k").redemption
    client, _ = staff_client("SUPPORT")

    page = client.get(f"/console/rewards/redemption/{redemption.pk}/change/").content.decode()
    contract = client.get(
        f"/console/contracts/contract/{member.contract.pk}/change/"
    ).content.decode()

    assert "受付済み" in page and "配送商品" in page
    assert not CODES.search(_readonly_text(page)), CODES.search(_readonly_text(page))
    assert "有効" in contract and "個人" in contract
    assert not CODES.search(_readonly_text(contract)), CODES.search(_readonly_text(contract))


def test_admin_edits_a_contract_with_named_choices(make_member):
    member = make_member()
    client, _ = staff_client("ADMIN")

    page = client.get(f"/console/contracts/contract/{member.contract.pk}/change/").content.decode()

    assert '<option value="ACTIVE" selected>有効</option>' in page
    assert '<option value="CONVERTED">転用</option>' in page


def test_the_journal_entry_page_names_the_kind(make_member):
    member = make_member()
    give(member, 500)
    entry = Entry.objects.get(account=member.account)
    client, _ = staff_client("ADMIN")

    page = client.get(f"/console/ledger/entry/{entry.pk}/change/").content.decode()

    assert "調整" in _readonly_text(page)
    assert not CODES.search(_readonly_text(page))


def test_the_console_is_in_english_with_the_language_switch(make_member):
    client, _ = staff_client("FINANCE")
    client.cookies["django_language"] = "en"

    home = client.get("/console/").content.decode()
    report = client.get(
        "/console/reports/entrysummary/liability/?program=east&fy=2026"
    ).content.decode()

    assert "Dashboard" in home and "Email queue" in home
    assert "Points liability, FY2026" in report and "Opening" in report
    assert "期首残高" not in report


def test_the_review_marks_each_detail_that_differs_from_the_candidate(make_contract):
    make_contract(customer_id="CAF5000001", holder_name="山田 太郎", phone="03-9999-0000",
                  postal_code="1000001", address="東京都千代田区千代田1-1")  # fmt: skip
    easy = easy_request(holder_name="山田　太郎", phone="03-1234-5678")
    assert EasyRegistration.objects.get(pk=easy.pk).status == "PENDING"
    client, _ = staff_client("SUPPORT")

    page = client.get(f"/console/access/easyregistration/{easy.pk}/review/").content.decode()

    row = re.search(r"<tr><td><input[^>]*CAF5000001.*?</tr>", page, flags=re.S)
    assert row is not None
    cells = re.findall(r"<td( class=\"differs\"[^>]*)?>([^<]*)</td>", row.group(0))
    marked = {text.strip() for mark, text in cells if mark}
    # The full-width space in the name is the same name; the phone differs.
    assert marked == {"03-9999-0000"}
    assert "異なる項目は ≠ 印" in page
