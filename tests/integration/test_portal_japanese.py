"""Every member page of both programs reads as Japanese: no codes, no English leftovers."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from memberclub.rewards.services import codes_load
from tests.rewards_support import give, load_catalogs, redeem

pytestmark = pytest.mark.django_db
ON_THE_LINE = "192.0.2.10"
PAGES = [
    "/",
    "/history/",
    "/history/?kind=used",
    "/contract/",
    "/settings/",
    "/auth-key/",
    "/exchange/",
    "/exchange/fee/",
    "/exchange/history/",
    "/exchange/tokens/",
    "/no-such-page/",
]
CODES = re.compile(
    r"\b(FAMILY|MANSION|LIGHT|CROSS|BASIC|SHIPPED|DIGITAL_CODE|BILL_CREDIT|SERVICE|GRANT|REDEEM|"
    r"REFUND|EXPIRE|FORFEIT|REVOKE|ADJUST|ACTIVE|LINE|PASSWORD|REQUESTED|FULFILLED|Not Found)\b"
)
ENGLISH = re.compile(r"\b(points?|expire|balance|history|error)\b", re.IGNORECASE)


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'lang="en">English<', "><", html)  # the language switch names English
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("program", ["east", "west"])
def test_no_page_shows_a_code_or_an_english_word(make_member, program):
    load_catalogs()
    extra = {"discount": ""} if program == "west" else {}
    member = make_member(customer_id=f"CAF65{len(program):05d}", program=program, **extra)
    give(member, 9_000, on=timezone.localdate().replace(day=1))
    prefix = "E" if program == "east" else "W"
    codes_load(item_code=f"{prefix}-CINEMA", codes=["C-1", "C-2"])
    redeem(member, f"{prefix}-CINEMA", key="c")
    redeem(member, f"{prefix}-FEE", key="f", points=1_357)
    client = Client(REMOTE_ADDR=ON_THE_LINE)
    client.force_login(member.user)

    for path in [*PAGES, f"/exchange/items/{prefix}-CINEMA/"]:
        text = _visible(client.get(path).text)
        assert not CODES.search(text), (path, CODES.search(text))
        assert not ENGLISH.search(text), (path, ENGLISH.search(text))
        assert "1357" not in text, path
