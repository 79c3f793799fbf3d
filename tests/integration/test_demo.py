"""`memberclub demo` restarted keeps its logins and suggests only what can still be tried."""

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from memberclub.contracts.models import Contract
from memberclub.membership.services import member_create
from memberclub.rewards.models import Item, Kind

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(autouse=True)
def _demo_in_tmp(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "static"
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def _demo() -> dict[str, str]:
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    text = out.getvalue()
    staff = re.search(r"staff login: (\S+) / (\S+)", text)
    member = re.search(r"demo member login: (\S+) / (\S+)", text)
    register = re.search(r"try registering: customer ID (\S+), access key (\S+)", text)
    assert staff and member and register, text
    return {
        "staff": staff[2],
        "member_id": member[1],
        "member": member[2],
        "register": register[1],
    }


def test_a_restart_keeps_the_logins_and_moves_on_from_a_registered_customer():
    first = _demo()
    registered = Contract.objects.get(customer_id=first["register"])
    member_create(
        contract=registered, email="new@example.com", nickname="新会員",
        joined_on=registered.service_started_on, mail_opt_in=False, language="ja", source="test",
    )  # fmt: skip

    second = _demo()

    assert (second["staff"], second["member"]) == (first["staff"], first["member"])
    assert authenticate(username="staff", password=second["staff"]) is not None
    assert authenticate(username=second["member_id"], password=second["member"]) is not None
    assert second["register"] != first["register"]
    digital = Item.objects.filter(kind=Kind.DIGITAL_CODE)
    assert digital.exists() and all((item.stock or 0) >= 10 for item in digital)
