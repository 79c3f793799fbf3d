"""The access matrix (SPEC §5), enforced on the server for every page and action.

Rows: page or action × PASSWORD/LINE × the member, another member, an anonymous visitor.
The member's line is 192.0.2.0/24; the other member's line is 198.18.0.0/24.
"""

import pytest
from django.test import Client

from memberclub.access.devices import device_trust
from memberclub.access.models import AuthKey, TrustedDevice
from memberclub.members.models import Member
from tests.portal_support import LINE_IP, OFF_IP, PASSWORD, logged_in, with_password

pytestmark = pytest.mark.django_db

OTHER_LINE_IP = "198.18.0.5"
PASSWORD_PAGES = ["/", "/auth-key/"]
LINE_PAGES = ["/contract/", "/history/", "/settings/", "/leave/"]


@pytest.fixture
def member(make_member):
    return with_password(make_member(customer_id="CAF7000001", holder_name="山田 花子"))


@pytest.fixture
def other(make_member):
    return with_password(
        make_member(
            customer_id="CAF7000002", holder_name="鈴木 一郎", line_prefixes="198.18.0.0/24"
        )
    )


def line_actions(member: Member) -> list[tuple[str, dict[str, str]]]:
    """Every POST that needs LINE, with valid data."""
    device, _ = device_trust(member=member, label="phone", days=365)
    return [
        ("/settings/email/", {"email": "new@example.com"}),
        (
            "/settings/password/",
            {
                "old_password": PASSWORD,
                "new_password1": "N3w-Pass-word",
                "new_password2": "N3w-Pass-word",
            },
        ),
        ("/settings/preferences/", {"language": "en", "mail_opt_in": ""}),
        (f"/settings/devices/{device.pk}/revoke/", {}),
        ("/leave/", {"confirm": "on"}),
    ]


def nothing_changed(member: Member) -> bool:
    member.refresh_from_db()
    member.user.refresh_from_db()
    return (
        member.left_on is None
        and member.language == "ja"
        and member.user.check_password(PASSWORD)
        and not TrustedDevice.objects.filter(member=member, revoked_at__isnull=False).exists()
    )


# --- anonymous -------------------------------------------------------------------------------


@pytest.mark.parametrize("ip", [LINE_IP, OFF_IP], ids=["LINE", "PASSWORD"])
@pytest.mark.parametrize("path", [p for p in PASSWORD_PAGES + LINE_PAGES if p != "/"])
def test_an_anonymous_visitor_is_sent_to_log_in_for_every_member_page(member, path, ip):
    response = Client().get(path, REMOTE_ADDR=ip)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("ip", [LINE_IP, OFF_IP], ids=["LINE", "PASSWORD"])
def test_an_anonymous_visitor_sees_the_front_page_without_member_data(member, ip):
    response = Client().get("/", REMOTE_ADDR=ip)

    assert response.status_code == 200
    assert "CAF7000001" not in response.text
    assert "/login/" in response.text


@pytest.mark.parametrize("ip", [LINE_IP, OFF_IP], ids=["LINE", "PASSWORD"])
def test_an_anonymous_visitor_can_do_no_member_action(member, ip):
    for path, data in [*line_actions(member), ("/auth-key/", {"action": "request"})]:
        response = Client().post(path, data, REMOTE_ADDR=ip)

        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/"), path
    assert nothing_changed(member)
    assert not AuthKey.objects.exists()


# --- the member ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PASSWORD_PAGES + LINE_PAGES)
def test_the_member_on_the_line_may_use_every_page(member, path):
    response = logged_in(member).get(path, REMOTE_ADDR=LINE_IP)

    assert response.status_code == 200


@pytest.mark.parametrize("path", PASSWORD_PAGES)
def test_the_member_off_the_line_may_use_the_password_pages(member, path):
    response = logged_in(member).get(path, REMOTE_ADDR=OFF_IP)

    assert response.status_code == 200


@pytest.mark.parametrize("path", LINE_PAGES)
def test_the_member_off_the_line_is_sent_to_the_auth_key_screen_for_line_pages(member, path):
    response = logged_in(member).get(path, REMOTE_ADDR=OFF_IP)

    assert response.status_code == 303
    assert response["Location"].startswith("/auth-key/?next=")


def test_the_member_off_the_line_may_request_an_auth_key(member):
    response = logged_in(member).post("/auth-key/", {"action": "request"}, REMOTE_ADDR=OFF_IP)

    assert response.status_code == 302
    assert AuthKey.objects.filter(member=member, status="QUEUED").exists()


@pytest.mark.parametrize("index", range(5), ids=["email", "password", "prefs", "revoke", "leave"])
def test_the_member_off_the_line_cannot_do_line_actions(member, index):
    path, data = line_actions(member)[index]

    response = logged_in(member).post(path, data, REMOTE_ADDR=OFF_IP)

    assert response.status_code == 303
    assert response["Location"].startswith("/auth-key/")
    assert nothing_changed(member)


@pytest.mark.parametrize("index", range(5), ids=["email", "password", "prefs", "revoke", "leave"])
def test_the_member_on_the_line_can_do_line_actions(member, index):
    path, data = line_actions(member)[index]

    response = logged_in(member).post(path, data, REMOTE_ADDR=LINE_IP)

    assert response.status_code in (200, 302)
    if index != 0:  # an email change waits for the confirmation link
        assert not nothing_changed(member)


def test_a_trusted_device_of_the_member_gives_line_level_off_the_line(member):
    client = logged_in(member)
    _, token = device_trust(member=member, label="laptop", days=365)
    client.cookies["mc_device"] = token

    assert client.get("/history/", REMOTE_ADDR=OFF_IP).status_code == 200


# --- another member --------------------------------------------------------------------------


@pytest.mark.parametrize("path", PASSWORD_PAGES + LINE_PAGES)
def test_another_member_on_their_own_line_sees_only_their_own_data(member, other, path):
    response = logged_in(other).get(path, REMOTE_ADDR=OTHER_LINE_IP)

    assert response.status_code == 200
    assert "CAF7000001" not in response.text
    assert "山田 花子" not in response.text


@pytest.mark.parametrize("path", LINE_PAGES)
def test_another_member_on_this_members_line_gets_no_line_level(member, other, path):
    response = logged_in(other).get(path, REMOTE_ADDR=LINE_IP)

    assert response.status_code == 303
    assert response["Location"].startswith("/auth-key/")


@pytest.mark.parametrize("path", PASSWORD_PAGES)
def test_another_member_off_their_line_may_use_only_password_pages(member, other, path):
    response = logged_in(other).get(path, REMOTE_ADDR=LINE_IP)

    assert response.status_code == 200
    assert "CAF7000001" not in response.text


def test_another_members_trusted_device_gives_no_line_level(member, other):
    client = logged_in(other)
    _, token = device_trust(member=member, label="member's laptop", days=365)
    client.cookies["mc_device"] = token

    assert client.get("/history/", REMOTE_ADDR=OFF_IP).status_code == 303


def test_another_member_cannot_revoke_this_members_device_even_at_line_level(member, other):
    device, _ = device_trust(member=member, label="phone", days=365)

    response = logged_in(other).post(
        f"/settings/devices/{device.pk}/revoke/", REMOTE_ADDR=OTHER_LINE_IP
    )

    assert response.status_code == 404
    device.refresh_from_db()
    assert device.revoked_at is None


@pytest.mark.parametrize("index", range(5), ids=["email", "password", "prefs", "revoke", "leave"])
def test_another_member_on_this_members_line_cannot_do_line_actions(member, other, index):
    path, data = line_actions(other)[index]
    data = {**data, "old_password": PASSWORD} if "old_password" in data else data

    response = logged_in(other).post(path, data, REMOTE_ADDR=LINE_IP)

    assert response.status_code == 303
    assert nothing_changed(other)
    assert nothing_changed(member)
