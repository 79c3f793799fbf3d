"""Importing members migrated from a legacy system (SPEC §11), in bounded memory.

One file is one transaction. Valid rows are staged in a temporary table keyed by customer ID
(a later row for the same customer replaces an earlier one), then merged a page of customers
at a time: a contract's current member is updated, or a member is created on an ACTIVE contract.
"""

from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Max

from memberclub.contracts.models import Contract, ContractStatus
from memberclub.csvio import Feed, ImportReport, Progress, open_feed
from memberclub.domain.rows import MEMBER_COLUMNS, MemberRow, RowError, parse_member_row
from memberclub.ledger.models import Account
from memberclub.members.ids import new_member_id
from memberclub.members.models import Member

CHUNK_ROWS = 5_000
PAGE_ROWS = 900  # customers merged at once, below SQLite's limit of bound parameters
STAGE = "member_import_stage"
FIELDS = ("email", "nickname", "joined_on", "mail_opt_in", "language")


def members_import(
    *, path: Path, encoding: str = "utf-8", progress: Progress | None = None
) -> ImportReport:
    """Upsert members by customer ID, keeping good rows and reporting bad ones with their line."""
    report = ImportReport()
    with (
        open_feed(path, columns=MEMBER_COLUMNS, encoding=encoding) as feed,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            f"""
                CREATE TEMP TABLE {STAGE} (
                    customer_id text PRIMARY KEY, line integer, email text, nickname text,
                    joined_on date, mail_opt_in boolean, language text)
                """
        )
        for rows in _chunks(feed, report):
            _stage(cursor, rows)
            if progress:
                progress(feed.position(), feed.size)
        for page in _pages(cursor):
            _merge_page(page, report)
        cursor.execute(f"DROP TABLE {STAGE}")
    return report


def _chunks(feed: Feed, report: ImportReport) -> Iterator[list[tuple[int, MemberRow]]]:
    """Validate the feed a chunk at a time, rejecting bad rows into the report."""
    rows = feed.rows()
    while True:
        good: dict[str, tuple[int, MemberRow]] = {}
        read = 0
        for line, fields in islice(rows, CHUNK_ROWS):
            read += 1
            try:
                row = parse_member_row(fields)
            except RowError as error:
                report.reject(line, str(error))
                continue
            good[row.customer_id] = (line, row)
        if not read:
            return
        yield list(good.values())


def _stage(cursor: CursorWrapper, rows: list[tuple[int, MemberRow]]) -> None:
    """Stage rows; chunks come in file order, so a later row for a customer replaces the first."""
    names = ", ".join(FIELDS)
    replaced = ", ".join(f"{name} = excluded.{name}" for name in ("line", *FIELDS))
    cursor.executemany(
        f"""
        INSERT INTO {STAGE} (customer_id, line, {names}) VALUES (%s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (customer_id) DO UPDATE SET {replaced}
        """,
        [(row.customer_id, line, *row[1:]) for line, row in rows],
    )


def _pages(cursor: CursorWrapper) -> Iterator[list[tuple[int, MemberRow]]]:
    """The staged rows in pages of PAGE_ROWS customers, in customer ID order."""
    after = ""
    while True:
        cursor.execute(
            f"""
            SELECT line, customer_id, {", ".join(FIELDS)} FROM {STAGE}
            WHERE customer_id > %s ORDER BY customer_id LIMIT %s
            """,
            [after, PAGE_ROWS],
        )
        page = [
            (line, MemberRow(customer_id, email, nickname, joined_on, bool(opt_in), language))
            for line, customer_id, email, nickname, joined_on, opt_in, language in cursor
        ]
        if not page:
            return
        yield page
        after = page[-1][1].customer_id


def _merge_page(page: list[tuple[int, MemberRow]], report: ImportReport) -> None:
    """Update current members, create new ones on ACTIVE contracts, reject the rest."""
    contracts = Contract.objects.in_bulk(
        [row.customer_id for _, row in page], field_name="customer_id"
    )
    contract_ids = [contract.pk for contract in contracts.values()]
    current = {
        member.contract_id: member
        for member in Member.objects.filter(
            contract_id__in=contract_ids, left_on__isnull=True
        ).select_related("user")
    }
    last_left = dict(
        Member.objects.filter(contract_id__in=contract_ids, left_on__isnull=False)
        .values("contract_id")
        .annotate(last=Max("left_on"))
        .values_list("contract_id", "last")
    )
    to_create: list[tuple[Contract, MemberRow]] = []
    to_update: list[Member] = []
    for line, row in page:
        contract = contracts.get(row.customer_id)
        problem = _problem(row, contract, current, last_left)
        if problem:
            report.reject(line, problem)
            continue
        assert contract is not None
        member = current.get(contract.pk)
        if member is None:
            to_create.append((contract, row))
            continue
        values: dict[str, Any] = {name: getattr(row, name) for name in FIELDS}
        if all(getattr(member, name) == value for name, value in values.items()):
            report.unchanged += 1
            continue
        for name, value in values.items():
            setattr(member, name, value)
        # The login's address is the one password reset writes to.
        member.user.email = row.email
        to_update.append(member)
    Member.objects.bulk_update(to_update, list(FIELDS))
    get_user_model().objects.bulk_update([member.user for member in to_update], ["email"])
    report.updated += len(to_update)
    _create_members(to_create)
    report.created += len(to_create)


def _problem(
    row: MemberRow,
    contract: Contract | None,
    current: dict[int, Member],
    last_left: dict[int, Any],
) -> str | None:
    """Why a row cannot be merged, or None."""
    if contract is None:
        return f"no contract with customer_id {row.customer_id}"
    if row.joined_on < contract.service_started_on:
        return f"joined_on is before the contract's service started ({contract.service_started_on})"
    if contract.pk in current:
        return None
    if contract.status != ContractStatus.ACTIVE:
        return (
            f"contract {row.customer_id} is {contract.status} effective "
            f"{contract.status_effective_on}: no member can join it"
        )
    left_on = last_left.get(contract.pk)
    if left_on and row.joined_on < left_on:
        return f"joined_on is before the contract's last member left ({left_on})"
    return None


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
