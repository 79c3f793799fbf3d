"""Validating one row of an operator feed into typed values; a bad row raises RowError.

A million-row feed passes through here, so the checks are plain comparisons and precompiled
patterns, and the first problem found (in column order) is the reason given.
"""

import datetime as dt
import re
import socket
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from memberclub.domain.contact import PHONE, POSTAL_CODE

CONTRACT_COLUMNS = [
    "customer_id", "access_key", "program", "plan", "holder_name", "holder_kind", "phone",
    "postal_code", "address", "service_started_on", "status", "status_effective_on", "discount",
    "discount_started_on", "discount_ended_on", "line_prefixes",
]  # fmt: skip
MEMBER_COLUMNS = ["customer_id", "email", "nickname", "joined_on", "mail_opt_in", "language"]

CUSTOMER_ID = re.compile(r"[A-Z0-9]{4,20}")
PLAN = re.compile(r"[A-Z][A-Z0-9_]{0,31}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_customer_id = CUSTOMER_ID.fullmatch
_plan = PLAN.fullmatch
_phone = PHONE.fullmatch
_postal_code = POSTAL_CODE.fullmatch
_email = EMAIL.fullmatch
_iso_date = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fullmatch
# U+FFFD stands for bytes that were not text in the file's encoding; NUL is never text.
_not_text = re.compile("[\x00\ufffd]").search
HOLDER_KINDS = frozenset({"INDIVIDUAL", "CORPORATE"})
STATUSES = frozenset({"ACTIVE", "CANCELED", "CONVERTED"})
DISCOUNTS = frozenset({"NINEN_WARI"})
TRUE_WORDS = frozenset({"1", "true", "yes", "y"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", ""})
LANGUAGES = frozenset({"ja", "en"})
SHOWN_CHARACTERS = 40


class RowError(ValueError):
    """A row that cannot be imported, with the reason shown to the operator."""


class ContractRow(NamedTuple):
    """A valid contract row, in the column order of the feed."""

    customer_id: str
    access_key: str
    program: str
    plan: str
    holder_name: str
    holder_kind: str
    phone: str
    postal_code: str
    address: str
    service_started_on: dt.date
    status: str
    status_effective_on: dt.date | None
    discount: str
    discount_started_on: dt.date | None
    discount_ended_on: dt.date | None
    line_prefixes: str


class MemberRow(NamedTuple):
    """A valid row of a legacy member migration."""

    customer_id: str
    email: str
    nickname: str
    joined_on: dt.date
    mail_opt_in: bool
    language: str


def _shown(text: str) -> str:
    """A value quoted for a message, cut short when long."""
    if len(text) > SHOWN_CHARACTERS:
        text = text[:SHOWN_CHARACTERS] + "…"
    return repr(text)


def _cells(fields: list[str] | str, columns: Sequence[str]) -> list[str]:
    """Check a row's width and text, and strip the spaces around each value."""
    if isinstance(fields, str):
        raise RowError(fields)
    if len(fields) != len(columns):
        hint = ""
        if any("\n" in value for value in fields):
            hint = " (a quoted value runs over several lines: is a closing quote missing?)"
        raise RowError(f"expected {len(columns)} fields, found {len(fields)}{hint}")
    if _not_text("\x1f".join(fields)):
        for name, value in zip(columns, fields, strict=True):
            if "\x00" in value:
                raise RowError(f"{name} contains a NUL character")
            if "\ufffd" in value:
                raise RowError(f"{name} is not text in the file's encoding (is --encoding right?)")
    return list(map(str.strip, fields))


def _text(name: str, text: str, limit: int) -> None:
    """Raise the reason a required text is missing or too long."""
    if not text:
        raise RowError(f"{name} is required")
    if len(text) > limit:
        raise RowError(f"{name} is longer than {limit} characters")


def _date(name: str, text: str, *, required: bool) -> dt.date | None:
    if not text:
        if required:
            raise RowError(f"{name} is required")
        return None
    if _iso_date(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise RowError(f"{name} is not a date (YYYY-MM-DD): {_shown(text)}")


def _network(item: str) -> str:
    """One CIDR (or a single address) in canonical form, host bits cleared."""
    address, slash, length = item.partition("/")
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        packed = socket.inet_pton(family, address)
    except OSError:
        raise RowError(f"line_prefixes has an invalid address: {_shown(item)}") from None
    bits = len(packed) * 8
    prefix = bits
    if slash:
        if not (length.isascii() and length.isdigit()) or int(length) > bits:
            raise RowError(f"line_prefixes has an invalid prefix length: {_shown(item)}")
        prefix = int(length)
    value = int.from_bytes(packed)
    host = (1 << (bits - prefix)) - 1
    if family == socket.AF_INET and not value & host and length == str(prefix):
        return item  # inet_pton takes IPv4 only in its canonical dotted form
    network = value & ~host
    return f"{socket.inet_ntop(family, network.to_bytes(len(packed)))}/{prefix}"


def _prefixes(text: str) -> str:
    items = text.split()
    if len(items) == 1:
        return _network(items[0])
    return " ".join(map(_network, items))


def _status_effective_on(status: str, text: str, started: dt.date) -> dt.date | None:
    """The first day of an ended contract's status; none for an ACTIVE one."""
    if status not in STATUSES:
        raise RowError(f"status must be ACTIVE, CANCELED or CONVERTED: {_shown(status)}")
    effective_on = _date("status_effective_on", text, required=status != "ACTIVE")
    if effective_on is not None:
        if status == "ACTIVE":
            raise RowError("status_effective_on must be empty for an ACTIVE contract")
        if effective_on < started:
            raise RowError("status_effective_on is before service_started_on")
    return effective_on


def _discount_dates(discount: str, on: str, off: str) -> tuple[dt.date | None, dt.date | None]:
    """The discount's first day and its first day without it (each may be empty)."""
    if not discount:
        if on or off:
            raise RowError(
                "discount_started_on and discount_ended_on must be empty without a discount"
            )
        return None, None
    if discount not in DISCOUNTS:
        raise RowError(f"discount must be NINEN_WARI or empty: {_shown(discount)}")
    started_on = _date("discount_started_on", on, required=True)
    ended_on = _date("discount_ended_on", off, required=False)
    if ended_on and started_on and ended_on <= started_on:
        raise RowError("discount_ended_on must be after discount_started_on")
    return started_on, ended_on


def parse_contract_row(
    fields: list[str] | str, *, programs: Mapping[str, frozenset[str] | None]
) -> ContractRow:
    """Validate a contract row (SPEC §11); `programs` maps each loaded program to its plans.

    A program mapped to None takes any plan code (its accrual does not depend on the plan list).
    """
    (
        customer_id, access_key, program, plan, holder_name, holder_kind, phone, postal_code,
        address, started, status, status_on, discount, discount_on, discount_off, prefixes,
    ) = _cells(fields, CONTRACT_COLUMNS)  # fmt: skip
    if not _customer_id(customer_id):
        raise RowError(
            f"customer_id must be 4 to 20 capital letters or digits: {_shown(customer_id)}"
        )
    if not access_key or len(access_key) > 64:
        _text("access_key", access_key, 64)
    if program not in programs:
        raise RowError(f"program {_shown(program)} is not loaded")
    if not _plan(plan):
        raise RowError(f"plan must be a code in capitals: {_shown(plan)}")
    plans = programs[program]
    if plans is not None and plan not in plans:
        raise RowError(f"plan {plan} is not a plan of {program} ({', '.join(sorted(plans))})")
    if not holder_name or len(holder_name) > 200:
        _text("holder_name", holder_name, 200)
    if holder_kind not in HOLDER_KINDS:
        raise RowError(f"holder_kind must be INDIVIDUAL or CORPORATE: {_shown(holder_kind)}")
    if not _phone(phone):
        raise RowError(f"phone is not a phone number: {_shown(phone)}")
    if not _postal_code(postal_code):
        raise RowError(f"postal_code must be 7 digits (123-4567): {_shown(postal_code)}")
    if not address or len(address) > 400:
        _text("address", address, 400)
    service_started_on = _date("service_started_on", started, required=True)
    assert service_started_on is not None
    status_effective_on = _status_effective_on(status, status_on, service_started_on)
    discount_started_on, discount_ended_on = _discount_dates(discount, discount_on, discount_off)
    return ContractRow(
        customer_id,
        access_key,
        program,
        plan,
        holder_name,
        holder_kind,
        phone,
        postal_code.replace("-", ""),
        address,
        service_started_on,
        status,
        status_effective_on,
        discount,
        discount_started_on,
        discount_ended_on,
        _prefixes(prefixes),
    )


def parse_member_row(fields: list[str] | str) -> MemberRow:
    """Validate a legacy member row (SPEC §11)."""
    customer_id, email, nickname, joined, opt_in, language = _cells(fields, MEMBER_COLUMNS)
    if not _customer_id(customer_id):
        raise RowError(
            f"customer_id must be 4 to 20 capital letters or digits: {_shown(customer_id)}"
        )
    if len(email) > 254 or not _email(email):
        raise RowError(f"email is not an email address: {_shown(email)}")
    _text("nickname", nickname, 50)
    joined_on = _date("joined_on", joined, required=True)
    assert joined_on is not None
    opt_in = opt_in.lower()
    if opt_in not in TRUE_WORDS and opt_in not in FALSE_WORDS:
        raise RowError(f"mail_opt_in must be true or false: {_shown(opt_in)}")
    language = language.lower() or "ja"
    if language not in LANGUAGES:
        raise RowError(f"language must be ja or en: {_shown(language)}")
    return MemberRow(customer_id, email, nickname, joined_on, opt_in in TRUE_WORDS, language)
