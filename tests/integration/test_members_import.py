"""Members migrated from a legacy club: a login and an account each, upserted by customer ID."""

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from memberclub.domain.errors import Refused
from memberclub.domain.rows import MEMBER_COLUMNS
from memberclub.ledger.models import Account
from memberclub.members.models import Member
from memberclub.membership import importer
from memberclub.membership.importer import members_import
from tests.factories import csv_feed, import_counts

pytestmark = pytest.mark.django_db
D = dt.date


def row(customer_id: str, **changes: str) -> dict[str, str]:
    """A valid member row for a customer, with some values changed."""
    values = {
        "customer_id": customer_id,
        "email": f"{customer_id.lower()}@example.com",
        "nickname": "たろう",
        "joined_on": "2021-01-01",
        "mail_opt_in": "true",
        "language": "ja",
    }
    return {**values, **changes}


def feed(tmp_path: Path, rows: list[dict[str, str]], *, encoding="utf-8") -> Path:
    """Write a members CSV file as the operator would send it."""
    return csv_feed(tmp_path, MEMBER_COLUMNS, rows, encoding=encoding, newline="\n")


def test_a_migrated_member_gets_a_login_and_an_account(make_contract, tmp_path):
    make_contract(customer_id="CAF0000001")

    report = members_import(path=feed(tmp_path, [row("CAF0000001", language="en")]))

    assert import_counts(report) == (1, 0, 0, [])
    member = Member.objects.get()
    assert (member.contract.customer_id, member.joined_on, member.language) == (
        "CAF0000001",
        D(2021, 1, 1),
        "en",
    )
    assert member.source == "import"
    assert member.user.username == member.member_id
    assert not member.user.has_usable_password()
    assert Account.objects.get(member=member).program == "east"


def test_rows_that_cannot_become_members_are_reported_by_line(make_contract, make_member, tmp_path):
    make_contract(customer_id="CAF0000001")
    make_contract(customer_id="CAF0000002", status="CANCELED", status_effective_on=D(2026, 10, 1))
    make_contract(customer_id="CAF0000003")
    path = feed(
        tmp_path,
        [
            row("CAF0000001"),
            row("CAF0000009"),
            row("CAF0000002"),
            row("CAF0000003", joined_on="2019-12-31"),
            row("CAF0000004", email="nobody"),
        ],
    )

    report = members_import(path=path)

    assert report.as_dict() == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": [
            {"line": 3, "reason": "no contract with customer_id CAF0000009"},
            {
                "line": 4,
                "reason": "contract CAF0000002 is CANCELED effective 2026-10-01: "
                "no member can join it",
            },
            {
                "line": 5,
                "reason": "joined_on is before the contract's service started (2020-04-01)",
            },
            {"line": 6, "reason": "email is not an email address: 'nobody'"},
        ],
    }


def test_a_second_run_changes_nothing(make_contract, tmp_path):
    make_contract(customer_id="CAF0000001")
    make_contract(customer_id="CAF0000002")
    path = feed(tmp_path, [row("CAF0000001"), row("CAF0000002")])
    members_import(path=path)
    ids = set(Member.objects.values_list("member_id", flat=True))

    again = members_import(path=path)

    assert import_counts(again) == (0, 0, 2, [])
    assert set(Member.objects.values_list("member_id", flat=True)) == ids


def test_a_changed_row_updates_the_member_and_the_address_of_the_login(make_member, tmp_path):
    member = make_member(customer_id="CAF0000001")
    path = feed(tmp_path, [row("CAF0000001", email="new@example.com", mail_opt_in="false")])

    report = members_import(path=path)

    assert import_counts(report) == (0, 1, 0, [])
    member.refresh_from_db()
    assert (member.email, member.mail_opt_in) == ("new@example.com", False)
    assert get_user_model().objects.get(pk=member.user_id).email == "new@example.com"


def test_a_later_row_for_the_same_customer_replaces_the_earlier(make_contract, tmp_path):
    make_contract(customer_id="CAF0000001")
    path = feed(tmp_path, [row("CAF0000001", nickname="一"), row("CAF0000001", nickname="二")])

    report = members_import(path=path)

    assert import_counts(report) == (1, 0, 0, [])
    assert Member.objects.get().nickname == "二"


@pytest.mark.parametrize("size", [1, 2, 1000])
def test_the_result_does_not_depend_on_chunk_or_page_size(
    make_contract, make_member, tmp_path, monkeypatch, size
):
    make_member(customer_id="CAF0000001")
    for number in (2, 3, 4):
        make_contract(customer_id=f"CAF000000{number}")
    monkeypatch.setattr(importer, "CHUNK_ROWS", size)
    monkeypatch.setattr(importer, "PAGE_ROWS", size)
    path = feed(
        tmp_path,
        [
            row("CAF0000002", nickname="一"),
            row("CAF0000001", nickname="更新"),
            row("CAF0000003", email="bad"),
            row("CAF0000002", nickname="二"),
            row("CAF0000004"),
            row("CAF0000001", nickname="更新後"),
        ],
    )

    report = members_import(path=path)

    assert import_counts(report) == (2, 1, 0, [4])
    nicknames = dict(Member.objects.values_list("contract__customer_id", "nickname"))
    assert nicknames == {"CAF0000001": "更新後", "CAF0000002": "二", "CAF0000004": "たろう"}
    assert import_counts(members_import(path=path)) == (0, 0, 3, [4])


def test_a_member_who_left_is_not_brought_back_by_the_same_file(make_contract, tmp_path):
    make_contract(customer_id="CAF0000001")
    path = feed(tmp_path, [row("CAF0000001")])
    members_import(path=path)
    Member.objects.update(left_on=D(2026, 5, 1))

    report = members_import(path=path)

    assert report.as_dict()["rejected"] == [
        {"line": 2, "reason": "joined_on is before the contract's last member left (2026-05-01)"}
    ]
    assert Member.objects.count() == 1


def test_the_member_of_a_converted_west_contract_can_still_be_updated(make_member, tmp_path):
    make_member(
        customer_id="CAF0000001",
        program="west",
        discount="",
        status="CONVERTED",
        status_effective_on=D(2026, 10, 1),
    )

    report = members_import(path=feed(tmp_path, [row("CAF0000001", nickname="転用後")]))

    assert import_counts(report) == (0, 1, 0, [])


def test_a_shift_jis_file_is_read_with_cp932(make_contract, tmp_path):
    make_contract(customer_id="CAF0000001")
    path = feed(tmp_path, [row("CAF0000001", nickname="髙橋")], encoding="cp932")

    report = members_import(path=path, encoding="cp932")

    assert import_counts(report) == (1, 0, 0, [])
    assert Member.objects.get().nickname == "髙橋"


def test_a_wrong_header_is_refused_and_changes_nothing(make_contract, tmp_path):
    make_contract(customer_id="CAF0000001")
    path = tmp_path / "members.csv"
    path.write_text("customer_id,email,nickname\nCAF0000001,a@example.com,a\n", encoding="utf-8")

    with pytest.raises(Refused, match="line 1"):
        members_import(path=path)

    assert not Member.objects.exists()
