"""The portal as a member uses it: login, language, top page, history, settings, leaving."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from memberclub.domain.fiscal import fiscal_year, fiscal_year_end
from memberclub.jobs.accrual import accrual_run
from memberclub.ledger.models import Entry
from memberclub.ledger.selectors import account_balance
from memberclub.ledger.services import points_adjust
from memberclub.members.models import Member
from memberclub.notifications.models import Notice
from tests.portal_support import (
    LINE_IP,
    OFF_IP,
    PASSWORD,
    last_mail_text,
    link_in_last_mail,
    logged_in,
    run_tasks,
    with_password,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(make_member):
    return with_password(make_member(customer_id="CAF6000001"))


def log_in(client: Client, member_id: str, password: str = PASSWORD, ip: str = OFF_IP):
    return client.post("/login/", {"username": member_id, "password": password}, REMOTE_ADDR=ip)


def test_logging_in_rotates_the_session_key_and_opens_the_top_page(member):
    client = Client()
    session = client.session
    session["visited"] = True
    session.save()
    before = str(session.session_key)
    client.cookies["sessionid"] = before

    response = log_in(client, member.member_id.lower())

    assert response.status_code == 302
    assert client.session.session_key != before
    assert "たろう" in client.get("/", REMOTE_ADDR=OFF_IP).text


def test_a_wrong_password_and_an_unknown_member_id_read_the_same(member):
    wrong = log_in(Client(), member.member_id, "wrong-password")
    unknown = log_in(Client(), "MC0000000000", "wrong-password")

    assert wrong.status_code == unknown.status_code == 200
    message = "会員IDまたはパスワードが正しくありません。"
    assert message in wrong.text and message in unknown.text


def test_failed_logins_are_limited_per_member_id(member):
    for _ in range(5):
        log_in(Client(), member.member_id, "wrong-password", ip=f"203.0.113.{_}")

    response = log_in(Client(), member.member_id)

    assert response.status_code == 200
    assert "入力の誤りが続いたため" in response.text


def test_failed_logins_are_limited_per_client_ip(member, settings):
    settings.ATTEMPT_LIMIT_PER_IP = 3
    for number in range(3):
        log_in(Client(), f"MC000000000{number}", "wrong-password")

    assert "入力の誤りが続いたため" in log_in(Client(), member.member_id).text
    assert log_in(Client(), member.member_id, ip="198.51.100.9").status_code == 302


def test_staff_and_former_members_cannot_log_in_to_the_portal(member):
    get_user_model().objects.create_user(username="operator", password=PASSWORD, is_staff=True)
    member.left_on = dt.date(2026, 1, 1)
    member.save()

    assert log_in(Client(), "operator").status_code == 200
    assert log_in(Client(), member.member_id).status_code == 200


def test_logging_out_ends_the_session(member):
    client = logged_in(member)

    client.post("/logout/")

    assert client.get("/history/", REMOTE_ADDR=LINE_IP).status_code == 302


def test_pages_are_japanese_by_default_whatever_the_browser_asks(member):
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert '<html lang="ja">' in response.text
    assert "会員登録" in response.text


def test_the_language_switch_turns_the_pages_english(member):
    client = Client()

    client.post("/language/", {"language": "en", "next": "/login/"})

    response = client.get("/login/")
    assert '<html lang="en">' in response.text
    assert "Member ID" in response.text


def test_a_member_who_reads_english_gets_english_pages_after_login(member):
    member.language = "en"
    member.save()
    client = Client()

    log_in(client, member.member_id)

    assert "Your points" in client.get("/", REMOTE_ADDR=OFF_IP).text


def test_the_top_page_shows_balance_points_expiring_this_fiscal_year_and_notices(member):
    today = timezone.localdate()
    year_end = fiscal_year_end(fiscal_year(today, start_month=4), start_month=4)
    # Awarded two fiscal years before this one: expires at the end of this fiscal year.
    old = dt.date(year_end.year - 3, 4, 1)
    points_adjust(account_id=member.account.pk, points=1200, on=old, reason="r", key="a")
    points_adjust(account_id=member.account.pk, points=300, on=today, reason="r", key="b")
    Notice.objects.create(title_ja="年末年始のお知らせ", title_en="Holidays", published_on=today)

    page = logged_in(member).get("/", REMOTE_ADDR=OFF_IP).text

    assert "1,500" in page
    assert f"{year_end.year}年{year_end.month}月{year_end.day}日" in page
    assert "1,200 ポイント" in page
    assert "年末年始のお知らせ" in page


def test_a_west_member_sees_the_coming_april_30_and_the_points_expiring_then(make_member):
    west = with_password(make_member(customer_id="CAF6000002", program="west", discount=""))
    today = timezone.localdate()
    coming = dt.date(today.year if today.month < 5 else today.year + 1, 4, 30)
    old = dt.date(coming.year - 3, 4, 1)  # west: FY N points last until April 30 of FY N+3
    points_adjust(account_id=west.account.pk, points=1200, on=old, reason="r", key="a")
    points_adjust(account_id=west.account.pk, points=300, on=today, reason="r", key="b")

    page = logged_in(west).get("/", REMOTE_ADDR=OFF_IP).text

    assert f"{coming.year}年4月30日に 1,200 ポイント" in page
    assert "3月31日" not in page


def test_the_points_history_lists_every_change(member):
    points_adjust(
        account_id=member.account.pk, points=800, on=dt.date(2026, 5, 1), reason="r", key="a"
    )
    points_adjust(
        account_id=member.account.pk, points=-300, on=dt.date(2026, 6, 1), reason="r", key="b"
    )

    page = logged_in(member).get("/history/", REMOTE_ADDR=LINE_IP).text

    assert "+800" in page and "-300" in page


def test_the_history_names_the_monthly_points_and_the_renewal_bonus(member):
    # The discount started 2020-04-01, so a term ends in April 2026: the bonus comes in July.
    accrual_run(program="east", month=dt.date(2026, 7, 1))

    page = logged_in(member).get("/history/", REMOTE_ADDR=LINE_IP).text

    assert "マンスリーポイント" in page and "+500" in page
    assert "継続特典" in page and "+1,000" in page


def test_the_contract_page_shows_the_members_contract(member):
    page = logged_in(member).get("/contract/", REMOTE_ADDR=LINE_IP).text

    assert "CAF6000001" in page
    assert member.contract.address in page


def test_password_reset_by_email_sets_a_new_password(member):
    Client().post("/password/reset/", {"email": member.email})
    run_tasks()
    link = link_in_last_mail(r"http://testserver(/password/reset/[^\s]+/)")
    assert member.member_id in last_mail_text()

    client = Client()
    form_url = client.get(link)["Location"]  # Django moves the token into the session
    client.post(form_url, {"new_password1": "Fresh-Pass-2026", "new_password2": "Fresh-Pass-2026"})

    member.user.refresh_from_db()
    assert member.user.check_password("Fresh-Pass-2026")


def test_password_reset_for_an_unknown_address_reads_the_same_and_sends_nothing(member):
    response = Client().post("/password/reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302
    run_tasks()
    assert mail.outbox == []


def test_an_email_change_waits_for_the_link_sent_to_the_new_address(member):
    client = logged_in(member)
    client.post("/settings/email/", {"email": "new@example.com"}, REMOTE_ADDR=LINE_IP)
    run_tasks()
    member.refresh_from_db()
    assert member.email != "new@example.com"
    assert mail.outbox[-1].to == ["new@example.com"]
    link = link_in_last_mail(r"http://testserver(/settings/email/confirm/[^\s]+/)")

    Client().get(link)

    member.refresh_from_db()
    member.user.refresh_from_db()
    assert member.email == member.user.email == "new@example.com"
    assert Client().get(link).status_code == 410  # the link works once


def test_preferences_change_the_language_and_the_mail_magazine(member):
    client = logged_in(member)

    client.post("/settings/preferences/", {"language": "en"}, REMOTE_ADDR=LINE_IP)

    member.refresh_from_db()
    assert (member.language, member.mail_opt_in) == ("en", False)
    assert "Settings" in client.get("/settings/", REMOTE_ADDR=LINE_IP).text


def test_leaving_needs_a_confirmation(member):
    client = logged_in(member)

    response = client.post("/leave/", {}, REMOTE_ADDR=LINE_IP)

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.left_on is None


def test_leaving_the_club_forfeits_every_point_and_ends_the_login(member):
    points_adjust(
        account_id=member.account.pk, points=700, on=timezone.localdate(), reason="r", key="a"
    )
    client = logged_in(member)
    warning = client.get("/leave/", REMOTE_ADDR=LINE_IP).text
    assert "保有している 700 ポイントは失効します" in warning

    response = client.post("/leave/", {"confirm": "on"}, REMOTE_ADDR=LINE_IP)

    assert "700 ポイントが失効しました" in response.text
    member.refresh_from_db()
    assert member.left_on == timezone.localdate()
    assert account_balance(account_id=member.account.pk, as_of=timezone.localdate()) == 0
    assert Entry.objects.filter(account=member.account, kind="FORFEIT", points=-700).exists()
    assert client.get("/", REMOTE_ADDR=LINE_IP).status_code == 200  # the public front page
    assert log_in(Client(), member.member_id).status_code == 200
    assert not Member.objects.filter(pk=member.pk, left_on__isnull=True).exists()


def test_forms_without_a_csrf_token_are_refused(member):
    client = Client(enforce_csrf_checks=True)

    assert (
        client.post("/login/", {"username": member.member_id, "password": PASSWORD}).status_code
        == 403
    )


def test_the_outbox_exists_only_in_demo_mode(settings, tmp_path):
    settings.DEMO_MODE = False
    assert Client().get("/dev/outbox").status_code == 404

    settings.DEMO_MODE, settings.DEMO_OUTBOX_DIR = True, str(tmp_path)
    assert Client().get("/dev/outbox").status_code == 200
