"""Importing the usage feed (SPEC §11): upsert by customer and billing month, a chunk at a time.

A later row for the same customer and month replaces the earlier one, in one file or across
imports. What accrual has done with a bill (rewarded, revoked) is kept when its row changes:
a bill rewarded and later marked unpaid is what arrears revocation looks for.
"""

import datetime as dt
import re
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from django.db import transaction

from memberclub.contracts.models import Contract
from memberclub.csvio import ImportReport, Progress, open_feed
from memberclub.domain.calendar import last_day_of_month, parse_month
from memberclub.domain.errors import Refused
from memberclub.domain.program import UsageAccrual
from memberclub.domain.rows import CUSTOMER_ID, RowError
from memberclub.programs.selectors import program_on
from memberclub.usage.models import UsageBill

USAGE_COLUMNS = ["customer_id", "billing_month", "billed_yen", "paid"]
CHUNK_ROWS = 10_000
PAID_WORDS = {"1": True, "true": True, "yes": True, "y": True}
UNPAID_WORDS = {"0": False, "false": False, "no": False, "n": False}
YEN = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True, slots=True)
class UsageRow:
    """A valid usage row."""

    customer_id: str
    billing_month: dt.date
    billed_yen: int
    paid: bool


def parse_usage_row(fields: list[str]) -> UsageRow:
    """Validate one usage row: customer, YYYY-MM, whole yen, paid true/false."""
    if len(fields) != len(USAGE_COLUMNS):
        raise RowError(f"expected {len(USAGE_COLUMNS)} fields, found {len(fields)}")
    customer_id, month, yen, paid = (value.strip() for value in fields)
    if not CUSTOMER_ID.fullmatch(customer_id):
        raise RowError(f"customer_id must be 4 to 20 capital letters or digits: {customer_id!r}")
    try:
        billing_month = parse_month(month)
    except ValueError:
        raise RowError(f"billing_month is not a month (YYYY-MM): {month!r}") from None
    if not YEN.fullmatch(yen):
        raise RowError(f"billed_yen must be a whole number of yen, 0 or more: {yen!r}")
    answer = {**PAID_WORDS, **UNPAID_WORDS}.get(paid.lower())
    if answer is None:
        raise RowError(f"paid must be true or false: {paid!r}")
    return UsageRow(customer_id, billing_month, int(yen), answer)


def usage_import(
    *, path: Path, encoding: str = "utf-8", progress: Progress | None = None
) -> ImportReport:
    """Upsert bills from a usage CSV file, keeping good rows and reporting bad ones by line."""
    report = ImportReport()
    with open_feed(path, columns=USAGE_COLUMNS, encoding=encoding) as feed:
        rows = feed.rows()
        while chunk := list(islice(rows, CHUNK_ROWS)):
            parsed: dict[tuple[str, dt.date], tuple[int, UsageRow]] = {}
            for line, fields in chunk:
                try:
                    if isinstance(fields, str):
                        raise RowError(fields)
                    row = parse_usage_row(fields)
                except RowError as error:
                    report.reject(line, str(error))
                    continue
                # A later row for the same customer and month replaces the earlier one.
                parsed.pop((row.customer_id, row.billing_month), None)
                parsed[(row.customer_id, row.billing_month)] = (line, row)
            with transaction.atomic():
                _merge_chunk(list(parsed.values()), report)
            if progress:
                progress(feed.position(), feed.size)
    return report


def _merge_chunk(rows: list[tuple[int, UsageRow]], report: ImportReport) -> None:
    customers = {row.customer_id for _, row in rows}
    contracts = {
        contract.customer_id: contract
        for contract in Contract.objects.filter(customer_id__in=customers).only(
            "id", "customer_id", "program"
        )
    }
    good: list[tuple[Contract, UsageRow]] = []
    usage_based: dict[tuple[str, dt.date], bool] = {}
    for line, row in rows:
        contract = contracts.get(row.customer_id)
        if contract is None:
            report.reject(line, f"no contract with customer_id {row.customer_id}")
            continue
        key = (contract.program, row.billing_month)
        if key not in usage_based:
            usage_based[key] = _earns_usage_points(*key)
        if usage_based[key]:
            good.append((contract, row))
        else:
            report.reject(
                line,
                f"contract {row.customer_id} is in program {contract.program}, "
                f"which earns no usage points in {_month(row)}",
            )
    existing = {
        (bill.contract_id, bill.billing_month): bill
        for bill in UsageBill.objects.filter(
            contract_id__in={contract.pk for contract, _ in good},
            billing_month__in={_month(row) for _, row in good},
        )
    }
    changed = []
    for contract, row in good:
        bill = existing.get((contract.pk, _month(row)))
        if bill is None:
            report.created += 1
        elif (bill.billed_yen, bill.paid) == (row.billed_yen, row.paid):
            report.unchanged += 1
            continue
        else:
            report.updated += 1
        changed.append(
            UsageBill(
                contract=contract,
                billing_month=_month(row),
                month_ends_on=last_day_of_month(row.billing_month),
                billed_yen=row.billed_yen,
                paid=row.paid,
            )
        )
    UsageBill.objects.bulk_create(
        changed,
        update_conflicts=True,
        unique_fields=["contract", "billing_month"],
        update_fields=["billed_yen", "paid", "updated_at"],
    )


def _month(row: UsageRow) -> str:
    return row.billing_month.strftime("%Y-%m")


def _earns_usage_points(program: str, month: dt.date) -> bool:
    try:
        definition = program_on(program=program, on=month)
    except Refused:
        return False
    return isinstance(definition.accrual, UsageAccrual)
