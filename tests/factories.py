"""Factories for test data, written through the same services production uses."""

import csv
import datetime as dt
import io
import itertools
from pathlib import Path

from django.contrib.auth import get_user_model

from memberclub.contracts.keys import access_key_digest
from memberclub.contracts.models import Contract
from memberclub.csvio import ImportReport
from memberclub.ledger.models import Account
from memberclub.members.models import Member
from memberclub.membership.services import member_create

_numbers = itertools.count(1)
# One valid row of the contract feed (SPEC §11), as the operator's CSV carries it.
CONTRACT_ROW = {
    "customer_id": "CAF0000001",
    "access_key": "KEY-0001",
    "program": "east",
    "plan": "FAMILY",
    "holder_name": "山田 太郎",
    "holder_kind": "INDIVIDUAL",
    "phone": "03-1234-5678",
    "postal_code": "100-0001",
    "address": "東京都千代田区千代田1-1",
    "service_started_on": "2020-04-01",
    "status": "ACTIVE",
    "status_effective_on": "",
    "discount": "NINEN_WARI",
    "discount_started_on": "2020-04-01",
    "discount_ended_on": "",
    "line_prefixes": "192.0.2.0/24",
}


def contract_create(**overrides: object) -> Contract:
    """Create an ACTIVE east FAMILY contract with the two-year discount, unless overridden."""
    number = next(_numbers)
    customer_id = str(overrides.pop("customer_id", f"CAF{number:07d}"))
    access_key = str(overrides.pop("access_key", f"KEY{number:05d}"))
    values: dict[str, object] = {
        "program": "east",
        "plan": "FAMILY",
        "holder_name": f"山田 太郎{number}",
        "holder_kind": "INDIVIDUAL",
        "phone": "03-1234-5678",
        "postal_code": "1000001",
        "address": "東京都千代田区千代田1-1",
        "service_started_on": dt.date(2020, 4, 1),
        "status": "ACTIVE",
        "discount": "NINEN_WARI",
        "discount_started_on": dt.date(2020, 4, 1),
        "line_prefixes": "192.0.2.0/24",
    }
    values.update(overrides)
    return Contract.objects.create(
        customer_id=customer_id,
        access_key_digest=access_key_digest(customer_id, access_key),
        **values,
    )


def member_with_contract(
    *, joined_on: dt.date = dt.date(2021, 1, 1), **contract_fields: object
) -> Member:
    """Create a contract and register a member on it."""
    contract = contract_create(**contract_fields)
    return member_create(
        contract=contract,
        email=f"{contract.customer_id.lower()}@example.com",
        nickname="たろう",
        joined_on=joined_on,
        mail_opt_in=True,
        language="ja",
        source="test",
    )


def csv_feed(
    tmp_path: Path,
    columns: list[str],
    rows: list[dict[str, str]],
    *,
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\r\n",
) -> Path:
    """Write a CSV feed as an operator would send it, to a new file in `tmp_path`."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator=newline)
    writer.writerow(columns)
    writer.writerows([values[name] for name in columns] for values in rows)
    path = tmp_path / f"feed-{len(list(tmp_path.iterdir()))}.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.getvalue().encode(encoding))
    return path


def import_counts(report: ImportReport) -> tuple[int, int, int, list[int]]:
    """An import's created, updated and unchanged counts, and the lines it rejected."""
    return (
        report.created,
        report.updated,
        report.unchanged,
        [line for line, _ in sorted(report.rejected)],
    )


def east_members_bulk(count: int, *, prefix: str, mail_opt_in: bool = False) -> None:
    """`count` eligible east members written in bulk, for the batch jobs' kill tests (the rows
    the services would write, without a service call per member)."""
    contracts = Contract.objects.bulk_create(
        Contract(
            customer_id=f"{prefix}{number:07d}",
            access_key_digest="-",
            program="east",
            plan="FAMILY",
            holder_name="山田 太郎",
            holder_kind="INDIVIDUAL",
            phone="03-1234-5678",
            postal_code="1000001",
            address="東京都千代田区千代田1-1",
            service_started_on=dt.date(2020, 4, 1),
            status="ACTIVE",
            discount="NINEN_WARI",
            discount_started_on=dt.date(2020, 4, 1),
        )
        for number in range(count)
    )
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"MC{number:010d}", password="!") for number in range(count)
    )
    members = Member.objects.bulk_create(
        Member(
            member_id=user.username,
            user=user,
            contract=contract,
            program="east",
            email=f"m{number}@example.com",
            nickname="m",
            joined_on=dt.date(2021, 1, 1),
            mail_opt_in=mail_opt_in,
            source="import",
        )
        for number, (user, contract) in enumerate(zip(users, contracts, strict=True))
    )
    Account.objects.bulk_create(Account(program="east", member=member) for member in members)
