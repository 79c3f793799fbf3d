"""Access levels without a database: where a request comes from, and what each level may do."""

from pathlib import Path

import pytest
from django.http import HttpRequest
from django.test import RequestFactory, override_settings

from memberclub.domain.access import allows
from memberclub.domain.program import Level, parse_program
from memberclub.web import client_ip

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = {
    code: parse_program((ROOT / "programs" / f"{code}.toml").read_text(), source=code)
    for code in ("east", "west")
}

# Every portal page or action, and whether a member at PASSWORD level may use it (SPEC §5).
MATRIX = [
    ("balance", True),  # top page: nickname, balance, points expiring
    ("fee_payment", True),
    ("request_auth_key", True),  # auth-key page: request a letter, enter the key
    ("contract_details", False),
    ("points_history", False),
    ("item_exchange", False),
    ("change_settings", False),  # email, password, language, mail magazine, devices
    ("leave", False),  # not named in the program files: unnamed actions need LINE
]


def request_from(peer: str, forwarded: str | None = None) -> HttpRequest:
    request = RequestFactory().get("/", REMOTE_ADDR=peer)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


@pytest.mark.parametrize("program", ["east", "west"])
@pytest.mark.parametrize(("action", "password_may"), MATRIX)
def test_each_action_is_open_at_line_level_and_at_password_level_only_where_the_spec_says(
    program, action, password_may
):
    need = PROGRAMS[program].access.level_for(action)

    assert allows(Level.LINE, need)
    assert allows(Level.PASSWORD, need) is password_may


def test_the_client_ip_is_the_socket_peer_when_no_proxy_is_trusted():
    with override_settings(TRUSTED_PROXIES=[]):
        assert client_ip(request_from("198.51.100.4", forwarded="192.0.2.10")) == "198.51.100.4"


def test_a_forwarded_header_from_an_untrusted_peer_is_ignored():
    with override_settings(TRUSTED_PROXIES=["10.0.0.0/8"]):
        assert client_ip(request_from("198.51.100.4", forwarded="192.0.2.10")) == "198.51.100.4"


def test_a_trusted_proxy_vouches_for_the_client_it_forwards():
    with override_settings(TRUSTED_PROXIES=["10.0.0.0/8"]):
        assert client_ip(request_from("10.1.2.3", forwarded="192.0.2.10")) == "192.0.2.10"


def test_addresses_a_client_wrote_before_the_trusted_hops_are_not_believed():
    with override_settings(TRUSTED_PROXIES=["10.0.0.0/8"]):
        request = request_from("10.1.2.3", forwarded="192.0.2.10, 198.51.100.4, 10.9.9.9")

        assert client_ip(request) == "198.51.100.4"


def test_a_garbled_forwarded_header_falls_back_to_the_peer():
    with override_settings(TRUSTED_PROXIES=["10.0.0.0/8"]):
        assert client_ip(request_from("10.1.2.3", forwarded="not-an-ip")) == "10.1.2.3"
