"""Receipt emails of redemptions, queued by the worker (a redemption is its own outbox)."""

from django.db import transaction
from django.utils import timezone

from memberclub import formats
from memberclub.members.models import Member
from memberclub.notifications.services import email_enqueue
from memberclub.rewards.models import Redemption


def receipts_enqueue(*, limit: int = 500) -> int:
    """Queue the receipt email of redemptions whose receipt is not queued yet (the worker calls
    this before it sends mail); return how many. Several workers share the work."""
    with transaction.atomic():
        due = list(
            Redemption.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("item", "member")
            .filter(receipt_queued_at__isnull=True)
            .order_by("id")[:limit]
        )
        for redemption in due:
            _receipt_enqueue(redemption.member, redemption)
        Redemption.objects.filter(pk__in=[r.pk for r in due]).update(
            receipt_queued_at=timezone.now()
        )
    return len(due)


def _receipt_enqueue(member: Member, redemption: Redemption) -> None:
    """Queue one receipt email in the caller's transaction: both commit or neither."""
    item = redemption.item
    english = member.language == "en"
    email_enqueue(
        kind="redemption_receipt",
        to=member.email,
        language=member.language,
        key=f"receipt:{redemption.number}",
        context={
            "nickname": member.nickname,
            "number": redemption.number,
            "item": item.name_en if english else item.name_ja,
            "kind": redemption.kind,
            "points": redemption.points,
            "balance_after": redemption.balance_after,
            "requested_on": redemption.requested_on.isoformat(),
            "bill_month": f"{redemption.bill_month:%Y-%m}" if redemption.bill_month else "",
            "ship_to": " ".join(
                part
                for part in (formats.postal(redemption.ship_postal_code), redemption.ship_address)
                if part
            ),
        },
    )
