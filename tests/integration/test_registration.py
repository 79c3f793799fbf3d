"""Registration (SPEC §4): standard with the notice, easy without it, welcome points once."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from memberclub.access.models import SignupToken
from memberclub.contracts.models import Contract
from memberclub.ledger.models import Entry
from memberclub.ledger.selectors import account_balance
from memberclub.members.models import Member
from memberclub.membership.profile import member_leave
from memberclub.membership.registration import (
    easy_registration_approve,
    easy_registration_reject,
)
from tests.portal_support import easy_request, last_mail_text, link_in_last_mail, run_tasks

pytestmark = pytest.mark.django_db

LINK = r"http://testserver(/register/complete/[^/\s]+/)"
GOOD_PASSWORD = "Sakura-Tree-2026"


def start_registration(client: Client, customer_id: str, access_key: str, email: str) -> str:
    """Steps 1-3: return the link path from the email."""
    response = client.post("/register/", {"customer_id": customer_id, "access_key": access_key})
    assert response.status_code == 302, response.content
    response = client.post("/register/email/", {"email": email, "nickname": "はなこ"})
    assert response.status_code == 200
    run_tasks()
    return link_in_last_mail(LINK)


def complete(client: Client, path: str, **extra: str):
    data = {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "language": "ja"}
    data.update(extra)
    return client.post(path, data | {"mail_opt_in": "on"})


def test_standard_registration_creates_the_member_and_emails_the_member_id(make_contract):
    make_contract(customer_id="CAF1000001", access_key="KEY-ABC")
    client = Client()

    path = start_registration(client, "caf1000001", "KEY-ABC", "hanako@example.com")
    response = complete(client, path)

    member = Member.objects.get(contract__customer_id="CAF1000001")
    assert re.fullmatch(r"MC\d{10}", member.member_id)
    assert member.member_id in response.text
    assert member.joined_on == timezone.localdate()
    assert member.user.check_password(GOOD_PASSWORD)
    run_tasks()
    assert mail.outbox[-1].to == ["hanako@example.com"]
    assert member.member_id in mail.outbox[-1].body
    assert (
        Client()
        .post("/login/", {"username": member.member_id, "password": GOOD_PASSWORD})
        .status_code
        == 302
    )


def test_the_registration_link_works_once(make_contract):
    make_contract(customer_id="CAF1000002", access_key="KEY-ABC")
    client = Client()
    path = start_registration(client, "CAF1000002", "KEY-ABC", "a@example.com")
    complete(client, path)

    again = complete(Client(), path)

    assert again.status_code == 410
    assert Member.objects.filter(contract__customer_id="CAF1000002").count() == 1


def test_the_registration_link_expires_after_24_hours(make_contract):
    make_contract(customer_id="CAF1000003", access_key="KEY-ABC")
    client = Client()
    path = start_registration(client, "CAF1000003", "KEY-ABC", "a@example.com")
    SignupToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert Client().get(path).status_code == 410
    assert not Member.objects.filter(contract__customer_id="CAF1000003").exists()


@pytest.mark.parametrize(
    ("customer_id", "access_key"),
    [
        ("CAF1000004", "WRONG"),  # wrong key
        ("CAF9999999", "KEY-ABC"),  # no such contract
        ("CAF1000005", "KEY-ABC"),  # canceled contract
        ("CAF1000006", "KEY-ABC"),  # already has a member
    ],
    ids=["wrong key", "unknown ID", "canceled", "registered"],
)
def test_a_contract_that_cannot_be_registered_gets_the_same_answer(
    make_contract, make_member, customer_id, access_key
):
    make_contract(customer_id="CAF1000004", access_key="KEY-ABC")
    make_contract(
        customer_id="CAF1000005",
        access_key="KEY-ABC",
        status="CANCELED",
        status_effective_on=dt.date(2026, 1, 1),
    )
    make_member(customer_id="CAF1000006", access_key="KEY-ABC")

    response = Client().post("/register/", {"customer_id": customer_id, "access_key": access_key})

    assert response.status_code == 200
    assert "このお客さまIDとアクセスキーでは登録できません" in response.text


def test_wrong_access_keys_are_limited_per_customer_id_without_telling_whether_it_exists(
    make_contract,
):
    make_contract(customer_id="CAF1000007", access_key="KEY-ABC")
    for customer_id in ("CAF1000007", "CAF9999998"):
        client = Client()
        for _ in range(5):
            client.post("/register/", {"customer_id": customer_id, "access_key": "WRONG"})

        response = client.post("/register/", {"customer_id": customer_id, "access_key": "KEY-ABC"})

        assert "入力の誤りが続いたため" in response.text
    assert not SignupToken.objects.exists()


def test_wrong_access_keys_are_limited_per_client_ip(make_contract, settings):
    settings.ATTEMPT_LIMIT_PER_IP = 3
    make_contract(customer_id="CAF1000008", access_key="KEY-ABC")
    client = Client()
    for number in range(3):
        client.post("/register/", {"customer_id": f"CAF200000{number}", "access_key": "x"})

    response = client.post("/register/", {"customer_id": "CAF1000008", "access_key": "KEY-ABC"})

    assert "入力の誤りが続いたため" in response.text


def test_a_west_member_gets_welcome_points_on_completion_once_per_customer_id(make_contract):
    make_contract(customer_id="CAF1000009", access_key="KEY-W", program="west", plan="FAMILY")
    client = Client()
    complete(client, start_registration(client, "CAF1000009", "KEY-W", "w@example.com"))
    first = Member.objects.get(contract__customer_id="CAF1000009")
    today = timezone.localdate()

    assert account_balance(account_id=first.account.pk, as_of=today) == 500
    welcome = Entry.objects.get(account=first.account, rule="welcome")
    assert (welcome.kind, welcome.effective_on, welcome.idempotency_key) == (
        "GRANT",
        today,
        "welcome:CAF1000009",
    )

    member_leave(member=first, on=today)
    client = Client()
    complete(client, start_registration(client, "CAF1000009", "KEY-W", "w2@example.com"))
    second = Member.objects.get(contract__customer_id="CAF1000009", left_on__isnull=True)

    assert account_balance(account_id=second.account.pk, as_of=today) == 0
    assert Entry.objects.filter(rule="welcome").count() == 1


def test_an_east_member_gets_no_welcome_points(make_contract):
    make_contract(customer_id="CAF1000010", access_key="KEY-E")
    client = Client()
    complete(client, start_registration(client, "CAF1000010", "KEY-E", "e@example.com"))

    member = Member.objects.get(contract__customer_id="CAF1000010")
    assert account_balance(account_id=member.account.pk, as_of=timezone.localdate()) == 0


def test_a_weak_or_mismatched_password_is_refused_with_a_reason(make_contract):
    make_contract(customer_id="CAF1000011", access_key="KEY-ABC")
    client = Client()
    path = start_registration(client, "CAF1000011", "KEY-ABC", "a@example.com")

    weak = client.post(path, {"password1": "12345678", "password2": "12345678", "language": "ja"})
    mismatched = complete(client, path, password2="Other-Pass-2026")

    assert weak.status_code == 200 and "error" in weak.text
    assert "2つのパスワードが一致しません" in mismatched.text
    assert not Member.objects.filter(contract__customer_id="CAF1000011").exists()


def test_easy_registration_matching_one_contract_sends_the_link_at_once(make_contract):
    make_contract(customer_id="CAF1100001", holder_name="山田　太郎", postal_code="1000001")

    request = easy_request(holder_name="ヤマダ タロウ")
    assert request.status == "PENDING"  # the name did not match

    request = easy_request(holder_name=" 山田太郎 ", phone="０３１２３４５６７８")

    assert request.status == "APPROVED"
    assert request.contract is not None
    assert request.contract.customer_id == "CAF1100001"
    run_tasks()
    assert mail.outbox[-1].to == ["easy@example.com"]
    path = link_in_last_mail(LINK)
    complete(Client(), path)
    assert Member.objects.get(contract__customer_id="CAF1100001").email == "easy@example.com"


def test_easy_registration_with_several_matches_waits_for_review(make_contract):
    make_contract(customer_id="CAF1100002")
    make_contract(customer_id="CAF1100003")
    Contract.objects.filter(customer_id__in=["CAF1100002", "CAF1100003"]).update(
        holder_name="山田 太郎"
    )

    request = easy_request()

    assert request.status == "PENDING"
    assert request.match_note == "2件一致"
    run_tasks()
    assert mail.outbox == []


def test_a_reviewed_request_is_approved_with_the_chosen_contract(make_contract, admin_user):
    make_contract(customer_id="CAF1100004", holder_name="別人 花子")
    request = easy_request()

    easy_registration_approve(
        request_id=request.pk,
        customer_id="caf1100004",
        staff=admin_user,
        site_url="http://testserver",
    )

    request.refresh_from_db()
    assert request.contract is not None
    assert (request.status, request.contract.customer_id, request.decided_by) == (
        "APPROVED",
        "CAF1100004",
        admin_user,
    )
    run_tasks()
    assert link_in_last_mail(LINK)


def test_a_rejected_request_is_told_the_reason(admin_user):
    request = easy_request(email="nobody@example.com")

    easy_registration_reject(
        request_id=request.pk,
        reason="ご契約が見つかりませんでした",
        staff=admin_user,
        site_url="http://testserver",
    )

    run_tasks()
    assert mail.outbox[-1].to == ["nobody@example.com"]
    assert "ご契約が見つかりませんでした" in mail.outbox[-1].body
    assert not re.search(LINK, last_mail_text())


def test_the_easy_registration_page_answers_the_same_whatever_the_match(make_contract):
    make_contract(customer_id="CAF1100005", postal_code="100-0001")
    data = {
        "holder_name": "山田 太郎",
        "phone": "03-1234-5678",
        "postal_code": "100-0001",
        "address": "東京都千代田区千代田1-1",
        "email": "x@example.com",
        "nickname": "x",
    }

    matched = Client().post("/register/easy/", data)
    unmatched = Client().post("/register/easy/", data | {"holder_name": "誰か"})

    assert matched.status_code == unmatched.status_code == 200
    assert "お申し込みを受け付けました" in matched.text
    assert "お申し込みを受け付けました" in unmatched.text
