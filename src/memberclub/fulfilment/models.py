"""What the fulfilment vendor answered for one shipped redemption."""

from django.db import models
from django.db.models.functions import Now

from memberclub.ledger.models import Account
from memberclub.rewards.models import Redemption


class Shipment(models.Model):
    """A shipped redemption's tracking number, as the vendor's answer file gave it."""

    # The redemption's account: the distribution key (docs/operations.md "Distributing the
    # database"). The foreign key to the redemption is (redemption_id, account_id) on
    # PostgreSQL, made by fulfilment/sql/0003_distribution_keys.pg.sql; one column cannot
    # point at the redemption's primary key (id, account_id).
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", db_index=False)
    redemption = models.ForeignKey(
        Redemption,
        on_delete=models.PROTECT,
        related_name="shipments",
        db_constraint=False,
        db_index=False,
    )
    tracking_number = models.CharField(max_length=40)
    shipped_on = models.DateField()
    imported_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["redemption", "account"], name="shipment_redemption")
        ]

    def __str__(self) -> str:
        return f"{self.redemption_id} {self.tracking_number}"
