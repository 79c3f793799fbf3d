"""Each row of a feed is checked before anything is stored; a bad row says what is wrong."""

import datetime as dt

import pytest

from memberclub.domain.rows import (
    CONTRACT_COLUMNS,
    MEMBER_COLUMNS,
    RowError,
    parse_contract_row,
    parse_member_row,
)
from tests.factories import CONTRACT_ROW

PROGRAMS = {"east": frozenset({"FAMILY", "MANSION", "LIGHT"}), "west": None}
GOOD_MEMBER = {
    "customer_id": "CAF0000001",
    "email": "taro@example.com",
    "nickname": "たろう",
    "joined_on": "2021-01-01",
    "mail_opt_in": "true",
    "language": "ja",
}


def contract(**changes: str):
    values = {**CONTRACT_ROW, **changes}
    return parse_contract_row([values[name] for name in CONTRACT_COLUMNS], programs=PROGRAMS)


def member(**changes: str):
    values = {**GOOD_MEMBER, **changes}
    return parse_member_row([values[name] for name in MEMBER_COLUMNS])


def test_a_good_contract_row_becomes_typed_values():
    row = contract()

    assert row.service_started_on == dt.date(2020, 4, 1)
    assert row.status_effective_on is None
    assert row.discount_started_on == dt.date(2020, 4, 1)
    assert row.postal_code == "1000001"


def test_spaces_around_values_are_ignored_including_full_width_ones():
    row = contract(holder_name="　山田　太郎 ", customer_id=" CAF0000001")

    assert row.holder_name == "山田　太郎"
    assert row.customer_id == "CAF0000001"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"customer_id": "caf1"}, "customer_id must be 4 to 20 capital letters or digits"),
        ({"customer_id": ""}, "customer_id must be"),
        ({"access_key": ""}, "access_key is required"),
        ({"access_key": "K" * 65}, "access_key is longer than 64 characters"),
        ({"program": "north"}, "program 'north' is not loaded"),
        ({"plan": "family"}, "plan must be a code in capitals"),
        ({"plan": "GOLD"}, "plan GOLD is not a plan of east (FAMILY, LIGHT, MANSION)"),
        ({"holder_name": ""}, "holder_name is required"),
        ({"holder_name": "名" * 201}, "holder_name is longer than 200 characters"),
        ({"holder_kind": "PERSON"}, "holder_kind must be INDIVIDUAL or CORPORATE"),
        ({"phone": "call me"}, "phone is not a phone number"),
        ({"postal_code": "100-01"}, "postal_code must be 7 digits"),
        ({"address": ""}, "address is required"),
        ({"service_started_on": ""}, "service_started_on is required"),
        ({"service_started_on": "2020/04/01"}, "service_started_on is not a date"),
        ({"service_started_on": "2021-02-29"}, "service_started_on is not a date"),
        ({"service_started_on": "2020-W14-3"}, "service_started_on is not a date"),
        ({"status": "PAUSED"}, "status must be ACTIVE, CANCELED or CONVERTED"),
        ({"status": "CANCELED"}, "status_effective_on is required"),
        (
            {"status_effective_on": "2026-10-01"},
            "status_effective_on must be empty for an ACTIVE contract",
        ),
        (
            {"status": "CANCELED", "status_effective_on": "2020-03-01"},
            "status_effective_on is before service_started_on",
        ),
        ({"discount": "SENIOR"}, "discount must be NINEN_WARI or empty"),
        ({"discount_started_on": ""}, "discount_started_on is required"),
        (
            {"discount_ended_on": "2020-04-01"},
            "discount_ended_on must be after discount_started_on",
        ),
        (
            {"discount": "", "discount_ended_on": "2022-04-01"},
            "discount_started_on and discount_ended_on must be empty without a discount",
        ),
        ({"line_prefixes": "192.0.2.300/24"}, "line_prefixes has an invalid address"),
        ({"line_prefixes": "192.0.2.0/33"}, "line_prefixes has an invalid prefix length"),
        ({"line_prefixes": "2001:db8::/129"}, "line_prefixes has an invalid prefix length"),
        ({"line_prefixes": "fe80::1%eth0/64"}, "line_prefixes has an invalid address"),
        ({"holder_name": "山田\ufffd"}, "holder_name is not text in the file's encoding"),
        ({"address": "千代田\x001"}, "address contains a NUL character"),
    ],
)
def test_a_bad_contract_row_is_rejected_with_its_reason(changes, reason):
    with pytest.raises(RowError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        contract(**changes)


def test_a_row_of_the_wrong_width_is_rejected():
    with pytest.raises(RowError, match="expected 16 fields, found 3"):
        parse_contract_row(["CAF0000001", "KEY", "east"], programs=PROGRAMS)


def test_a_value_running_over_lines_hints_at_a_missing_quote():
    with pytest.raises(RowError, match="is a closing quote missing"):
        parse_contract_row(["CAF0000001", "KEY\nCAF0000002,KEY2"], programs=PROGRAMS)


def test_a_row_the_csv_reader_could_not_read_is_rejected_with_that_reason():
    with pytest.raises(RowError, match="cannot read the row"):
        parse_contract_row("cannot read the row: field larger than field limit", programs=PROGRAMS)


def test_a_usage_program_takes_any_plan_code():
    assert contract(program="west", plan="BIZ", discount="", discount_started_on="").plan == "BIZ"


def test_ended_contracts_carry_their_effective_date():
    row = contract(status="CONVERTED", status_effective_on="2026-10-01")

    assert row.status_effective_on == dt.date(2026, 10, 1)


def test_line_prefixes_are_stored_in_canonical_form():
    row = contract(line_prefixes="192.0.2.77/24  2001:DB8:0:0400::1/56 198.51.100.7")

    assert row.line_prefixes == "192.0.2.0/24 2001:db8:0:400::/56 198.51.100.7/32"


def test_a_contract_without_line_prefixes_is_accepted():
    assert contract(line_prefixes="").line_prefixes == ""


def test_a_good_member_row_becomes_typed_values():
    row = member(mail_opt_in="Yes", language="")

    assert row.joined_on == dt.date(2021, 1, 1)
    assert row.mail_opt_in is True
    assert row.language == "ja"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"customer_id": "CAF-1"}, "customer_id must be 4 to 20 capital letters or digits"),
        ({"email": "taro.example.com"}, "email is not an email address"),
        ({"email": "t@" + "e" * 250 + ".jp"}, "email is not an email address"),
        ({"email": "taro\ufffd@example.com"}, "email is not text in the file's encoding"),
        ({"nickname": ""}, "nickname is required"),
        ({"nickname": "な" * 51}, "nickname is longer than 50 characters"),
        ({"joined_on": ""}, "joined_on is required"),
        ({"joined_on": "2021-13-01"}, "joined_on is not a date"),
        ({"mail_opt_in": "maybe"}, "mail_opt_in must be true or false"),
        ({"language": "fr"}, "language must be ja or en"),
    ],
)
def test_a_bad_member_row_is_rejected_with_its_reason(changes, reason):
    with pytest.raises(RowError, match=reason):
        member(**changes)
