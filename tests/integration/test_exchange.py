"""The exchange flow in the portal, page by page, as a member walks through it."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from memberclub.ledger.selectors import account_balance
from memberclub.rewards.models import Item, Redemption, Status
from memberclub.rewards.services import codes_load
from tests.rewards_support import give, load_catalogs

pytestmark = pytest.mark.django_db
ON_THE_LINE = "192.0.2.10"
OFF_THE_LINE = "203.0.113.9"
HOME = {
    "name": "山田 太郎",
    "postal_code": "1000001",
    "address": "東京都千代田区",
    "phone": "0312345678",
}


@pytest.fixture
def member(make_member):
    load_catalogs()
    member = make_member()
    give(member, 10_000, on=timezone.localdate().replace(day=1))
    return member


def browser(member, ip: str = ON_THE_LINE) -> Client:
    client = Client(REMOTE_ADDR=ip)
    client.force_login(member.user)
    return client


def found(pattern: str, response) -> str:
    match = re.search(pattern, response.content.decode())
    assert match, f"{pattern} not on the page"
    return match.group(1)


def confirmation_token(response) -> str:
    return found(r'name="token" value="([^"]+)"', response)


def walk_to_confirmation(client: Client, code: str, shipping: dict | None = None):
    """Item page → 同意して交換する → entry form → はい; return the confirmation page."""
    client.get(f"/exchange/items/{code}/")
    form = client.get(f"/exchange/items/{code}/entry/")
    assert form.status_code == 200
    return client.post(f"/exchange/items/{code}/entry/", shipping or HOME, follow=True)


def test_the_catalog_shows_categories_and_can_keep_to_what_i_can_afford(member):
    client = browser(member)
    Item.objects.filter(code="E-WAGYU-400").update(points=20_000)

    everything = client.get("/exchange/").content.decode()
    affordable = client.get("/exchange/?affordable=1").content.decode()
    gourmet = client.get("/exchange/?category=home").content.decode()

    assert "E-WAGYU-400" in everything and "E-WAGYU-400" not in affordable
    assert "E-RICE-5KG" in affordable
    assert "E-TOWEL-SET" in gourmet and "E-RICE-5KG" not in gourmet


def test_a_shipped_item_from_the_line_all_the_way_to_the_redemption_number(member):
    client = browser(member)
    page = client.get("/exchange/items/E-RICE-5KG/entry/").content.decode()
    assert member.contract.address in page  # prefilled from the contract

    confirmation = walk_to_confirmation(
        client,
        "E-RICE-5KG",
        {
            "name": "山田 花子",
            "postal_code": "100-0001",
            "address": "東京都千代田区1-1",
            "phone": "03-1111-2222",
        },
    )
    assert confirmation.status_code == 200
    assert "7,000" in confirmation.content.decode()  # the balance after

    done = client.post(
        confirmation.request["PATH_INFO"], {"token": confirmation_token(confirmation)}, follow=True
    )

    redemption = Redemption.objects.get()
    assert redemption.number in done.content.decode()
    assert redemption.ship_name == "山田 花子"
    assert account_balance(account_id=member.account.pk, as_of=timezone.localdate()) == 7000


def test_a_wrong_postal_code_is_shown_on_the_entry_form(member):
    client = browser(member)

    response = client.post(
        "/exchange/items/E-RICE-5KG/entry/",
        {"name": "a", "postal_code": "12", "address": "b", "phone": "03-1111-2222"},
    )

    assert response.status_code == 200
    assert 'id="id_postal_code_error"' in response.content.decode()
    assert not Redemption.objects.exists()


def test_off_the_line_the_exchange_goes_to_the_auth_key_screen_and_comes_back(member):
    client = browser(member, OFF_THE_LINE)

    response = client.get("/exchange/items/E-RICE-5KG/entry/")

    assert response.status_code == 303
    assert response["Location"].startswith("/auth-key/?next=")
    assert "exchange%2Fitems%2FE-RICE-5KG%2Fentry" in response["Location"]


def test_sending_the_confirmation_twice_makes_one_redemption(member):
    client = browser(member)
    confirmation = walk_to_confirmation(client, "E-LED-4")
    path, token = confirmation.request["PATH_INFO"], confirmation_token(confirmation)

    first = client.post(path, {"token": token})
    second = client.post(path, {"token": token})
    back_again = client.get(path)

    assert first.status_code == second.status_code == back_again.status_code == 303
    assert first["Location"] == second["Location"] == back_again["Location"]
    assert Redemption.objects.count() == 1


def test_a_digital_code_is_shown_on_completion_and_in_the_history(member):
    codes_load(item_code="E-CINEMA", codes=["MOVIE-777"])
    client = browser(member)
    confirmation = walk_to_confirmation(client, "E-CINEMA")

    done = client.post(
        confirmation.request["PATH_INFO"], {"token": confirmation_token(confirmation)}, follow=True
    )
    history = client.get("/exchange/history/")

    assert "MOVIE-777" in done.content.decode()
    assert "MOVIE-777" in history.content.decode()
    assert Redemption.objects.get().status == Status.FULFILLED


def test_fee_payment_works_off_the_line_up_to_the_cap(member):
    client = browser(member, OFF_THE_LINE)
    page = client.get("/exchange/fee/")
    assert page.status_code == 200

    over = client.post("/exchange/fee/", {"points": 5001})
    confirmation = client.post("/exchange/fee/", {"points": 5000}, follow=True)
    done = client.post(
        confirmation.request["PATH_INFO"], {"token": confirmation_token(confirmation)}, follow=True
    )

    assert over.status_code == 200 and "5,000" in over.content.decode()
    assert done.status_code == 200
    assert Redemption.objects.get().points == 5000
    assert client.get("/exchange/fee/").context["most"] == 0


def test_the_receipt_email_goes_out_through_the_worker(member, settings):
    from django_tasks_db.models import DBTaskResult

    from memberclub.notifications.tasks import send_email
    from memberclub.rewards.receipts import receipts_enqueue

    client = browser(member)
    confirmation = walk_to_confirmation(client, "E-LED-4")
    client.post(confirmation.request["PATH_INFO"], {"token": confirmation_token(confirmation)})

    receipts_enqueue()  # what the worker does before it runs the tasks
    task = DBTaskResult.objects.get(args_kwargs__kwargs__kind="redemption_receipt")
    send_email.call(**task.args_kwargs["kwargs"])

    number = Redemption.objects.get().number
    assert mail.outbox[-1].to == [member.email]
    assert number in mail.outbox[-1].body


def test_a_member_can_make_and_revoke_an_api_token_on_the_line(member):
    client = browser(member)

    page = client.post("/exchange/tokens/", {"name": "my script"})
    secret = found(r'class="token-secret">([^<]+)<', page)
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    token_id = member.api_tokens.get().pk
    client.post(f"/exchange/tokens/{token_id}/revoke/")
    after = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert me.status_code == 200 and me.json()["level"] == "LINE"
    assert after.status_code == 401


def test_tokens_cannot_be_made_off_the_line(member):
    client = browser(member, OFF_THE_LINE)

    assert client.post("/exchange/tokens/", {"name": "x"}).status_code == 303
    assert not member.api_tokens.exists()


def test_the_flow_speaks_japanese_by_default(member):
    client = browser(member)

    item = client.get("/exchange/items/E-RICE-5KG/").content.decode()
    entry = client.get("/exchange/items/E-RICE-5KG/entry/").content.decode()
    confirmation = walk_to_confirmation(client, "E-RICE-5KG").content.decode()

    assert "同意して交換する" in item
    assert ">はい<" in entry
    assert ">送信<" in confirmation and "交換後の保有ポイント" in confirmation
