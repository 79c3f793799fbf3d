"""Every error a member meets is a page in the portal's layout and language, with a way back."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from memberclub.portal.views.errors import error_page
from tests.portal_support import OFF_IP, logged_in, with_password
from tests.rewards_support import load_catalogs

pytestmark = pytest.mark.django_db


@pytest.fixture
def west(make_member):
    load_catalogs()
    return with_password(make_member(customer_id="CAF6100001", program="west", discount=""))


def _failing(monkeypatch, error: Exception) -> None:
    def fail(**_kwargs):
        raise error

    monkeypatch.setattr("memberclub.portal.views.member.points_summary", fail)


def test_an_unknown_address_is_a_japanese_404_page_in_the_layout():
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert "ページが見つかりません" in response.text
    assert "メンバーズクラブ" in response.text  # the portal's header
    assert 'href="/"' in response.text
    assert "Not Found" not in response.text


def test_the_404_page_is_english_for_a_member_who_chose_english():
    client = Client()
    client.cookies["django_language"] = "en"

    response = client.get("/no-such-page/")

    assert "Page not found" in response.text
    assert "Back to the top page" in response.text


def test_a_west_member_opening_an_east_item_gets_the_portal_404_with_the_menu(west):
    response = logged_in(west).get("/exchange/items/E-LED-4/", REMOTE_ADDR=OFF_IP)

    assert response.status_code == 404
    assert "ご加入のクラブでは提供されていません" in response.text
    assert "ポイント履歴" in response.text  # the member's menu stays


def test_a_failure_on_our_side_is_a_500_page_that_says_nothing_changed(west, monkeypatch):
    _failing(monkeypatch, RuntimeError("boom"))
    client = logged_in(west)
    client.raise_request_exception = False

    response = client.get("/", REMOTE_ADDR=OFF_IP)

    assert response.status_code == 500
    assert "エラーが発生しました" in response.text
    assert "お手続きの内容は変更されていません" in response.text
    assert "boom" not in response.text


def test_a_refused_page_is_a_403_page(west, monkeypatch):
    _failing(monkeypatch, PermissionDenied())

    response = logged_in(west).get("/", REMOTE_ADDR=OFF_IP)

    assert response.status_code == 403
    assert "このページは表示できません" in response.text


def test_a_form_without_its_security_token_is_a_403_page_with_a_way_back():
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/login/", {"username": "MC0000000001"}, HTTP_REFERER="http://testserver/login/"
    )

    assert response.status_code == 403
    assert "フォームを送信できませんでした" in response.text
    assert 'href="http://testserver/login/"' in response.text


def test_the_api_keeps_answering_errors_in_json():
    response = Client().get("/api/v1/no-such-endpoint")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_another_status_uses_the_same_page(rf):
    request = rf.get("/")

    response = error_page(
        request, status=503, title="停止中", message="しばらくお待ちください。",
        headers={"Retry-After": "30"},
    )  # fmt: skip

    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert "エラー 503" in response.content.decode()
