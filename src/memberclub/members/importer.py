"""Importing members migrated from a legacy system, one bounded chunk at a time."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from memberclub.contracts.models import Contract, ContractStatus
from memberclub.csvio import ImportReport, chunked, read_rows
from memberclub.domain.rows import MEMBER_COLUMNS, MemberRow, RowError, parse_member_row
from memberclub.ledger.models import Account
from memberclub.members.ids import new_member_id
from memberclub.members.models import Member

CHUNK_ROWS = 5_000
FIELDS = ("email", "nickname", "joined_on", "mail_opt_in", "language")


def members_import(*, path: Path, encoding: str = "utf-8") -> ImportReport:
    """Upsert members by customer ID: a contract's current member is updated, else one is made."""
    report = ImportReport()
    rows = read_rows(path, columns=MEMBER_COLUMNS, encoding=encoding)
    for chunk in chunked(rows, CHUNK_ROWS):
        parsed: dict[str, tuple[int, MemberRow]] = {}
        for line, fields in chunk:
            try:
                row = parse_member_row(fields)
            except RowError as error:
                report.reject(line, str(error))
                continue
            parsed[row.customer_id] = (line, row)
        with transaction.atomic():
            _merge_chunk(parsed, report)
    return report


def _merge_chunk(parsed: dict[str, tuple[int, MemberRow]], report: ImportReport) -> None:
    contracts = Contract.objects.in_bulk(list(parsed), field_name="customer_id")
    current = {
        member.contract.customer_id: member
        for member in Member.objects.filter(
            contract__customer_id__in=list(parsed), left_on__isnull=True
        ).select_related("contract")
    }
    to_create: list[tuple[Contract, MemberRow]] = []
    to_update: list[Member] = []
    for customer_id, (line, row) in sorted(parsed.items(), key=lambda item: item[1][0]):
        contract = contracts.get(customer_id)
        if contract is None:
            report.reject(line, f"no contract with customer_id {customer_id}")
            continue
        member = current.get(customer_id)
        if member is None:
            if contract.status != ContractStatus.ACTIVE:
                report.reject(line, f"contract {customer_id} is {contract.status.lower()}")
                continue
            if row.joined_on < contract.service_started_on:
                report.reject(line, "joined_on is before the contract's service started")
                continue
            to_create.append((contract, row))
            continue
        values = {name: getattr(row, name) for name in FIELDS}
        if all(getattr(member, name) == value for name, value in values.items()):
            report.unchanged += 1
            continue
        for name, value in values.items():
            setattr(member, name, value)
        to_update.append(member)
    Member.objects.bulk_update(to_update, list(FIELDS))
    report.updated += len(to_update)
    _create_members(to_create)
    report.created += len(to_create)


def _create_members(rows: list[tuple[Contract, MemberRow]]) -> None:
    """Create logins, members and accounts in bulk; migrated members set a password by reset."""
    if not rows:
        return
    user_model = get_user_model()
    member_ids = _free_member_ids(len(rows))
    unusable = make_password(None)
    users = user_model.objects.bulk_create(
        user_model(username=member_id, email=row.email, password=unusable)
        for member_id, (_, row) in zip(member_ids, rows, strict=True)
    )
    members = Member.objects.bulk_create(
        Member(
            member_id=member_id,
            user=user,
            contract=contract,
            program=contract.program,
            email=row.email,
            nickname=row.nickname,
            joined_on=row.joined_on,
            mail_opt_in=row.mail_opt_in,
            language=row.language,
            source="import",
        )
        for member_id, user, (contract, row) in zip(member_ids, users, rows, strict=True)
    )
    Account.objects.bulk_create(Account(program=m.program, member=m) for m in members)


def _free_member_ids(count: int) -> list[str]:
    """Draw `count` distinct unused member IDs (the unique index still has the last word)."""
    while True:
        member_ids = list({new_member_id() for _ in range(count)})
        if (
            len(member_ids) == count
            and not Member.objects.filter(member_id__in=member_ids).exists()
        ):
            return member_ids
