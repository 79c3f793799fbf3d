"""Bills of usage-based contracts, as the billing system last reported them."""

from django.db import models
from django.utils.translation import gettext

from memberclub.contracts.models import Contract


class UsageBill(models.Model):
    """One billing month of one contract: billed yen, whether it is paid, and what accrual did."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="bills")
    # YYYY-MM, as in the feed and in the idempotency key of its grant.
    billing_month = models.CharField(max_length=7)
    # The last day of the billing month: members registered by then earn its points.
    month_ends_on = models.DateField()
    billed_yen = models.BigIntegerField()
    paid = models.BooleanField()
    # The award date of the run that granted its points, and of the run that took them back.
    rewarded_on = models.DateField(null=True, blank=True)
    revoked_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "billing_month"], name="usage_bill_contract_month"
            ),
            models.CheckConstraint(condition=models.Q(billed_yen__gte=0), name="usage_bill_yen"),
        ]
        indexes = [
            # Bills waiting for their points, and rewarded bills now unpaid (arrears).
            models.Index(
                fields=["contract"],
                condition=models.Q(paid=True, rewarded_on__isnull=True),
                name="usage_bill_to_reward",
            ),
            models.Index(
                fields=["contract"],
                condition=models.Q(paid=False, rewarded_on__isnull=False, revoked_on__isnull=True),
                name="usage_bill_in_arrears",
            ),
        ]

    def __str__(self) -> str:
        return gettext("bill %(month)s of contract %(contract)s") % {
            "month": self.billing_month,
            "contract": self.contract_id,
        }
