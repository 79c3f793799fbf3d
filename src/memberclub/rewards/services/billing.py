"""The billing export of fee payments."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from memberclub.programs.selectors import program_on
from memberclub.rewards.models import Kind, Redemption, Status


@dataclass(frozen=True)
class BillCredit:
    """One line of the billing export."""

    customer_id: str
    bill_month: str
    yen: int
    redemption_number: str


def billing_export(*, bill_month: dt.date) -> list[BillCredit]:
    """Every fee payment credited on one month's bill, marked fulfilled as it goes to billing."""
    with transaction.atomic():
        credits = list(
            Redemption.objects.filter(kind=Kind.BILL_CREDIT, bill_month=bill_month)
            .exclude(status=Status.CANCELED)
            .select_related("member__contract")
            .order_by("member__contract__customer_id", "number")
        )
        Redemption.objects.filter(
            pk__in=[credit.pk for credit in credits], status=Status.REQUESTED
        ).update(status=Status.FULFILLED, fulfilled_at=timezone.now())
    return [
        BillCredit(
            customer_id=credit.member.contract.customer_id,
            bill_month=f"{bill_month:%Y-%m}",
            yen=credit.points
            * program_on(program=credit.program, on=credit.requested_on).redemption.yen_per_point,
            redemption_number=credit.number,
        )
        for credit in credits
    ]
