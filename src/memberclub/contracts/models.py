"""Contracts and the lifecycle events that change them."""

from django.db import models
from django.utils.translation import gettext


class HolderKind(models.TextChoices):
    """Who holds the contract."""

    INDIVIDUAL = "INDIVIDUAL"
    CORPORATE = "CORPORATE"


class ContractStatus(models.TextChoices):
    """The state of a contract; a change takes effect on its effective date."""

    ACTIVE = "ACTIVE"
    CANCELED = "CANCELED"
    CONVERTED = "CONVERTED"


class Contract(models.Model):
    """One broadband contract (one line) of the operator."""

    customer_id = models.CharField(max_length=20)
    access_key_digest = models.CharField(max_length=128)
    program = models.CharField(max_length=32)
    plan = models.CharField(max_length=32)
    holder_name = models.CharField(max_length=200)
    holder_kind = models.CharField(max_length=12, choices=HolderKind.choices)
    phone = models.CharField(max_length=32)
    postal_code = models.CharField(max_length=8)
    address = models.CharField(max_length=400)
    service_started_on = models.DateField()
    status = models.CharField(max_length=12, choices=ContractStatus.choices)
    # The first day of the current status (null while ACTIVE since service start).
    status_effective_on = models.DateField(null=True, blank=True)
    discount = models.CharField(max_length=32, blank=True)
    discount_started_on = models.DateField(null=True, blank=True)
    # The first day without the discount.
    discount_ended_on = models.DateField(null=True, blank=True)
    # Space-separated CIDRs of the line.
    line_prefixes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Only the indexes a lookup needs: each one costs every row of a feed import. The
        # constraint (not unique=True) spares PostgreSQL a second, pattern-matching index.
        indexes = [models.Index(fields=["postal_code"], name="contract_postal_code")]
        constraints = [
            models.UniqueConstraint(fields=["customer_id"], name="contract_customer_id"),
            models.CheckConstraint(
                condition=models.Q(status="ACTIVE") | models.Q(status_effective_on__isnull=False),
                name="contract_inactive_has_effective_date",
            ),
        ]

    def __str__(self) -> str:
        return self.customer_id


class EventKind(models.TextChoices):
    """Lifecycle events of SPEC §3.4."""

    CANCELED = "CANCELED"
    CONVERTED = "CONVERTED"
    PLAN_CHANGED = "PLAN_CHANGED"
    DISCOUNT_STARTED = "DISCOUNT_STARTED"
    DISCOUNT_ENDED = "DISCOUNT_ENDED"
    MOVED = "MOVED"


class ContractEvent(models.Model):
    """A lifecycle event as received; its ID makes a repeated event change nothing."""

    event_id = models.CharField(max_length=100, unique=True)
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    effective_on = models.DateField()
    payload = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=20)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["contract", "effective_on"])]

    def __str__(self) -> str:
        return gettext("contract event %(id)s") % {"id": self.event_id}
