"""Cancelling a redemption with a refund, and marking one fulfilled."""

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from memberclub.domain.errors import Refused
from memberclub.ledger.models import Account
from memberclub.ledger.services import points_refund
from memberclub.members.selectors import membership_left_on
from memberclub.rewards.models import DigitalCode, Item, Redemption, Status


def redemption_cancel(*, redemption_id: int, on: dt.date, by: str, reason: str) -> Redemption:
    """Cancel a requested redemption: points back to the lots they came from, stock restored."""
    if not reason.strip():
        raise Refused("a cancellation needs a reason")
    account_id = Redemption.objects.values_list("account_id", flat=True).get(pk=redemption_id)
    with transaction.atomic():
        Account.objects.select_for_update().get(pk=account_id)
        redemption = (
            Redemption.objects.select_for_update()
            .select_related("item", "member", "debit")
            .get(pk=redemption_id)
        )
        if redemption.status != Status.REQUESTED:
            raise Refused(
                f"{redemption.number} is {redemption.status}: only REQUESTED can be cancelled"
            )
        code = DigitalCode.objects.filter(redemption=redemption).first()
        if code is not None and code.shown_at is not None:
            raise Refused(f"{redemption.number}: its digital code has been shown")
        left_on = membership_left_on(member=redemption.member)
        if left_on is not None and left_on <= on:
            raise Refused(f"{redemption.number}: the member left on {left_on}")
        refund = points_refund(
            debit_entry=redemption.debit,
            on=on,
            key=f"refund:{redemption.number}",
            reason=f"cancel {redemption.number}: {reason.strip()}",
        )[0]
        if code is not None:
            DigitalCode.objects.filter(pk=code.pk).update(redemption=None)
        if redemption.item.stock is not None:
            Item.objects.filter(pk=redemption.item_id).update(stock=F("stock") + 1)
        redemption.status = Status.CANCELED
        redemption.refund = refund
        redemption.canceled_on = on
        redemption.canceled_by = by
        redemption.cancel_reason = reason.strip()
        redemption.save(
            update_fields=["status", "refund", "canceled_on", "canceled_by", "cancel_reason"]
        )
        return redemption


def redemption_fulfil(*, redemption_id: int) -> bool:
    """Mark a requested redemption fulfilled (shipped, provisioned); False if it was not pending."""
    return bool(
        Redemption.objects.filter(pk=redemption_id, status=Status.REQUESTED).update(
            status=Status.FULFILLED, fulfilled_at=timezone.now()
        )
    )
