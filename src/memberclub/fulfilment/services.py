"""The SHIPPED fulfilment flow: the vendor's CSV of what to ship, and its answer imported.

Export lists every REQUESTED shipped redemption (the same file until some are answered). The
answer names each redemption with its tracking number and shipping day; importing it marks
the redemption FULFILLED and queues the member's email with the tracking number, in the same
transaction. Rows are checked one by one: a bad row is reported with its line and the rest
are kept; importing the same file again changes nothing.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from memberclub import formats
from memberclub.csvio import ImportReport, open_feed
from memberclub.domain.errors import Refused
from memberclub.fulfilment.models import Shipment
from memberclub.notifications.services import email_enqueue
from memberclub.rewards.models import Kind, Redemption, Status

EXPORT_COLUMNS = [
    "redemption_number", "requested_on", "item_code", "item_name", "quantity",
    "ship_name", "ship_postal_code", "ship_address", "ship_phone",
]  # fmt: skip
ANSWER_COLUMNS = ["redemption_number", "tracking_number", "shipped_on"]
TRACKING_MAX = 40


def fulfilment_export() -> list[list[str]]:
    """The rows of the vendor's CSV: every requested shipment, oldest first."""
    due = (
        Redemption.objects.filter(kind=Kind.SHIPPED, status=Status.REQUESTED)
        .select_related("item")
        .order_by("requested_on", "number")
    )
    return [
        [
            r.number,
            r.requested_on.isoformat(),
            r.item.code,
            r.item.name_ja,
            "1",
            r.ship_name,
            r.ship_postal_code,
            r.ship_address,
            r.ship_phone,
        ]
        for r in due
    ]


@dataclass(frozen=True)
class _Answer:
    number: str
    tracking: str
    shipped_on: dt.date


def _parse(fields: list[str]) -> _Answer:
    if len(fields) != len(ANSWER_COLUMNS):
        raise Refused(f"expected {len(ANSWER_COLUMNS)} columns, found {len(fields)}")
    number, tracking, shipped = (field.strip() for field in fields)
    if not number:
        raise Refused("redemption_number is empty")
    if not tracking or len(tracking) > TRACKING_MAX:
        raise Refused(f"tracking_number must be 1 to {TRACKING_MAX} characters")
    try:
        shipped_on = dt.date.fromisoformat(shipped)
    except ValueError:
        raise Refused(f"shipped_on is not a date (YYYY-MM-DD): {shipped!r}") from None
    return _Answer(number=number, tracking=tracking, shipped_on=shipped_on)


def fulfilment_import(*, path: Path, encoding: str = "utf-8") -> ImportReport:
    """Mark each answered redemption FULFILLED and email its member the tracking number."""
    report = ImportReport()
    with open_feed(path, columns=ANSWER_COLUMNS, encoding=encoding) as feed:
        for line, fields in feed.rows():
            if isinstance(fields, str):
                report.reject(line, fields)
                continue
            try:
                answer = _parse(fields)
                outcome = _apply(answer)
            except Refused as error:
                report.reject(line, str(error))
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _apply(answer: _Answer) -> str:
    """Apply one answer in its own transaction; say whether it was new, a correction or known."""
    with transaction.atomic():
        redemption = (
            Redemption.objects.select_for_update(of=("self",))
            .select_related("member", "item")
            .filter(number=answer.number)
            .first()
        )
        if redemption is None:
            raise Refused(f"no redemption {answer.number}")
        if redemption.kind != Kind.SHIPPED:
            raise Refused(f"{answer.number} is not a shipped item")
        known = Shipment.objects.filter(redemption=redemption).first()
        if known is not None:
            if (known.tracking_number, known.shipped_on) == (answer.tracking, answer.shipped_on):
                return "unchanged"
            # A corrected answer replaces the number on file; the member was emailed once.
            Shipment.objects.filter(pk=known.pk).update(
                tracking_number=answer.tracking, shipped_on=answer.shipped_on
            )
            return "updated"
        if redemption.status != Status.REQUESTED:
            raise Refused(f"{answer.number} is {redemption.status.lower()}, not requested")
        Shipment.objects.create(
            redemption=redemption,
            account_id=redemption.account_id,
            tracking_number=answer.tracking,
            shipped_on=answer.shipped_on,
        )
        Redemption.objects.filter(pk=redemption.pk).update(
            status=Status.FULFILLED, fulfilled_at=timezone.now()
        )
        member = redemption.member
        english = member.language == "en"
        email_enqueue(
            kind="shipped",
            to=member.email,
            language=member.language,
            key=f"shipped:{redemption.number}",
            context={
                "nickname": member.nickname,
                "number": redemption.number,
                "item": redemption.item.name_en if english else redemption.item.name_ja,
                "tracking_number": answer.tracking,
                "shipped_on": formats.date(answer.shipped_on, language=member.language),
            },
        )
        return "created"
