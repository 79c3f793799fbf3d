"""The catalog as cards with pictures and real filters, the fee payment page, and one format
for each kind of value on the exchange pages and in the receipt email."""

import datetime as dt

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from memberclub.notifications.tasks import send_email
from memberclub.rewards.models import Item
from memberclub.rewards.receipts import receipts_enqueue
from tests.rewards_support import give, load_catalogs

pytestmark = pytest.mark.django_db
ON_THE_LINE = "192.0.2.10"


@pytest.fixture
def member(make_member):
    load_catalogs()
    member = make_member(customer_id="CAF6300001", postal_code="7544685")
    give(member, 12_345, on=timezone.localdate().replace(day=1))
    return member


def browser(member) -> Client:
    client = Client(REMOTE_ADDR=ON_THE_LINE)
    client.force_login(member.user)
    return client


def test_the_catalog_shows_each_item_as_a_card_with_its_picture_or_a_placeholder(member):
    page = browser(member).get("/exchange/").text

    rice = page.split('data-code="E-RICE-5KG"')[1].split("</li>")[0]
    led = page.split('data-code="E-LED-4"')[1].split("</li>")[0]
    assert "/static/catalog/rice.svg" in rice
    assert "/static/exchange/placeholders/home.svg" in led
    assert "1,200 ポイント" in led


def test_the_category_and_afford_filters_are_controls_that_apply_on_change(member):
    Item.objects.filter(code="E-WAGYU-400").update(points=20_000)

    page = browser(member).get("/exchange/?category=gourmet&affordable=1").text

    assert 'type="radio" name="category" value="gourmet" checked' in page
    assert 'name="affordable" value="1" role="switch" checked' in page
    assert "data-autosubmit" in page and "/static/exchange/exchange.js" in page
    assert 'data-code="E-WAGYU-400"' not in page and 'data-code="E-LED-4"' not in page
    assert 'data-code="E-RICE-5KG"' in page
    assert "<script>" not in page  # no inline script


def test_the_catalog_images_are_static_files_that_collectstatic_serves():
    assert finders.find("catalog/rice.svg") is not None
    assert finders.find("catalog/crab.svg") is not None
    assert finders.find("exchange/placeholders/default.svg") is not None


def test_the_fee_page_has_an_amount_field_the_cap_left_quick_choices_and_a_question(member):
    page = browser(member).get("/exchange/fee/").text

    assert 'type="number"' in page and 'min="1"' in page and 'max="5000"' in page
    assert "今月の上限の残り" in page and "5,000 ポイント" in page
    for points in ("500", "1000", "5000"):
        assert f'data-quick-points="{points}"' in page
    assert "全部（5,000 ポイント）" in page
    assert page.index("このポイント数を来月のご請求に充当しますか？") < page.index(">はい<")
    next_month = (timezone.localdate().replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    assert f"<dd>{next_month.year}年{next_month.month}月</dd>" in page


def test_a_fee_payment_over_the_cap_is_refused_with_formatted_points(member):
    page = browser(member).post("/exchange/fee/", {"points": 7000}).text

    assert "5,000" in page and "5000 " not in page


def test_item_pages_name_the_kind_in_japanese(member):
    page = browser(member).get("/exchange/items/E-LED-4/").text

    assert "<dd>配送</dd>" in page
    assert "SHIPPED" not in page and "shipped" not in page


def test_the_contract_page_names_the_plan_and_formats_the_postal_code(member):
    page = browser(member).get("/contract/").text

    assert "ファミリー" in page and "FAMILY" not in page
    assert "〒754-4685" in page


def test_the_receipt_email_formats_points_dates_and_the_postal_code(member):
    client = browser(member)
    client.get("/exchange/items/E-LED-4/entry/")
    shipping = {
        "name": "山田",
        "postal_code": "7544685",
        "address": "山口県",
        "phone": "0312345678",
    }
    confirmation = client.post("/exchange/items/E-LED-4/entry/", shipping, follow=True)
    token = confirmation.text.split('name="token" value="')[1].split('"')[0]
    client.post(confirmation.request["PATH_INFO"], {"token": token})
    receipts_enqueue()
    task = DBTaskResult.objects.get(args_kwargs__kwargs__kind="redemption_receipt")
    send_email.call(**task.args_kwargs["kwargs"])

    body = mail.outbox[-1].body
    today = timezone.localdate()
    assert "1,200" in body and "11,145" in body
    assert f"{today.year}年{today.month}月{today.day}日" in body
    assert "〒754-4685" in body
