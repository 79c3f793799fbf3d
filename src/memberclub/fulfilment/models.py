"""What the fulfilment vendor answered for one shipped redemption."""

from django.db import models
from django.db.models.functions import Now

from memberclub.rewards.models import Redemption


class Shipment(models.Model):
    """A shipped redemption's tracking number, as the vendor's answer file gave it."""

    redemption = models.OneToOneField(Redemption, on_delete=models.PROTECT, related_name="shipment")
    tracking_number = models.CharField(max_length=40)
    shipped_on = models.DateField()
    imported_at = models.DateTimeField(db_default=Now())

    def __str__(self) -> str:
        return f"{self.redemption_id} {self.tracking_number}"
