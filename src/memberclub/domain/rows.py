"""Validating one row of an operator feed into typed values; a bad row raises RowError."""

import datetime as dt
import ipaddress
import re
from dataclasses import dataclass

CONTRACT_COLUMNS = [
    "customer_id", "access_key", "program", "plan", "holder_name", "holder_kind", "phone",
    "postal_code", "address", "service_started_on", "status", "status_effective_on", "discount",
    "discount_started_on", "discount_ended_on", "line_prefixes",
]  # fmt: skip
MEMBER_COLUMNS = ["customer_id", "email", "nickname", "joined_on", "mail_opt_in", "language"]

CUSTOMER_ID = re.compile(r"[A-Z0-9]{4,20}")
PLAN = re.compile(r"[A-Z][A-Z0-9_]{0,31}")
PHONE = re.compile(r"\+?[0-9][0-9-]{8,15}")
POSTAL_CODE = re.compile(r"[0-9]{3}-?[0-9]{4}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
HOLDER_KINDS = frozenset({"INDIVIDUAL", "CORPORATE"})
STATUSES = frozenset({"ACTIVE", "CANCELED", "CONVERTED"})
DISCOUNTS = frozenset({"NINEN_WARI"})
TRUE_WORDS = frozenset({"1", "true", "yes", "y"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", ""})


class RowError(ValueError):
    """A row that cannot be imported, with the reason shown to the operator."""


@dataclass(frozen=True, slots=True)
class ContractRow:
    """A valid contract row."""

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


@dataclass(frozen=True, slots=True)
class MemberRow:
    """A valid row of a legacy member migration."""

    customer_id: str
    email: str
    nickname: str
    joined_on: dt.date
    mail_opt_in: bool
    language: str


def _date(name: str, text: str, *, required: bool) -> dt.date | None:
    if not text:
        if required:
            raise RowError(f"{name} is required")
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RowError(f"{name} is not a date (YYYY-MM-DD): {text!r}") from None


def _required(name: str, text: str, limit: int) -> str:
    if not text:
        raise RowError(f"{name} is required")
    if len(text) > limit:
        raise RowError(f"{name} is longer than {limit} characters")
    if "\ufffd" in text:
        raise RowError(f"{name} is not valid text in the file's encoding")
    return text


def _prefixes(text: str) -> str:
    networks = []
    for item in text.split():
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise RowError(f"line_prefixes has an invalid CIDR: {item!r}") from None
    return " ".join(networks)


def _check_width(fields: list[str], columns: list[str]) -> list[str]:
    if len(fields) != len(columns):
        raise RowError(f"expected {len(columns)} fields, found {len(fields)}")
    return [value.strip() for value in fields]


def parse_contract_row(fields: list[str], *, programs: frozenset[str]) -> ContractRow:
    """Validate a contract row (SPEC §11) against the loaded programs."""
    (
        customer_id, access_key, program, plan, holder_name, holder_kind, phone, postal_code,
        address, started, status, status_on, discount, discount_on, discount_off, prefixes,
    ) = _check_width(fields, CONTRACT_COLUMNS)  # fmt: skip
    if not CUSTOMER_ID.fullmatch(customer_id):
        raise RowError(f"customer_id must be 4 to 20 capital letters or digits: {customer_id!r}")
    if program not in programs:
        raise RowError(f"program {program!r} is not loaded")
    if not PLAN.fullmatch(plan):
        raise RowError(f"plan must be a code in capitals: {plan!r}")
    if holder_kind not in HOLDER_KINDS:
        raise RowError(f"holder_kind must be INDIVIDUAL or CORPORATE: {holder_kind!r}")
    if not PHONE.fullmatch(phone):
        raise RowError(f"phone is not a phone number: {phone!r}")
    if not POSTAL_CODE.fullmatch(postal_code):
        raise RowError(f"postal_code must be 7 digits (123-4567): {postal_code!r}")
    if status not in STATUSES:
        raise RowError(f"status must be ACTIVE, CANCELED or CONVERTED: {status!r}")
    status_effective_on = _date("status_effective_on", status_on, required=status != "ACTIVE")
    service_started_on = _date("service_started_on", started, required=True)
    assert service_started_on is not None
    if discount and discount not in DISCOUNTS:
        raise RowError(f"discount must be NINEN_WARI or empty: {discount!r}")
    discount_started_on = _date("discount_started_on", discount_on, required=bool(discount))
    discount_ended_on = _date("discount_ended_on", discount_off, required=False)
    if discount_ended_on and (not discount_started_on or discount_ended_on < discount_started_on):
        raise RowError("discount_ended_on must not be before discount_started_on")
    return ContractRow(
        customer_id=customer_id,
        access_key=_required("access_key", access_key, 64),
        program=program,
        plan=plan,
        holder_name=_required("holder_name", holder_name, 200),
        holder_kind=holder_kind,
        phone=phone,
        postal_code=postal_code.replace("-", ""),
        address=_required("address", address, 400),
        service_started_on=service_started_on,
        status=status,
        status_effective_on=status_effective_on,
        discount=discount,
        discount_started_on=discount_started_on,
        discount_ended_on=discount_ended_on,
        line_prefixes=_prefixes(prefixes),
    )


def parse_member_row(fields: list[str]) -> MemberRow:
    """Validate a legacy member row (SPEC §11)."""
    customer_id, email, nickname, joined, opt_in, language = _check_width(fields, MEMBER_COLUMNS)
    if not CUSTOMER_ID.fullmatch(customer_id):
        raise RowError(f"customer_id must be 4 to 20 capital letters or digits: {customer_id!r}")
    if not EMAIL.fullmatch(email) or len(email) > 254:
        raise RowError(f"email is not an email address: {email!r}")
    joined_on = _date("joined_on", joined, required=True)
    assert joined_on is not None
    if opt_in.lower() not in TRUE_WORDS | FALSE_WORDS:
        raise RowError(f"mail_opt_in must be true or false: {opt_in!r}")
    if language not in ("ja", "en", ""):
        raise RowError(f"language must be ja or en: {language!r}")
    return MemberRow(
        customer_id=customer_id,
        email=email,
        nickname=_required("nickname", nickname, 50),
        joined_on=joined_on,
        mail_opt_in=opt_in.lower() in TRUE_WORDS,
        language=language or "ja",
    )
