"""Catalog items, digital code pools and redemptions."""

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import get_language, gettext

from memberclub.ledger.models import Account, Entry
from memberclub.members.models import Member
from memberclub.rewards.catalog_file import FulfilmentKind


class Kind(models.TextChoices):
    """Fulfilment kinds (SPEC §7), the same values as the catalog file's."""

    SHIPPED = FulfilmentKind.SHIPPED.value, "配送 / shipped"
    DIGITAL_CODE = FulfilmentKind.DIGITAL_CODE.value, "デジタルコード / digital code"
    SERVICE = FulfilmentKind.SERVICE.value, "サービス / service"
    BILL_CREDIT = FulfilmentKind.BILL_CREDIT.value, "料金充当 / fee payment"


class RequiredLevel(models.TextChoices):
    """The access level a member needs to redeem an item (SPEC §5)."""

    PASSWORD = "PASSWORD", "PASSWORD"
    LINE = "LINE", "LINE"


class Category(models.Model):
    """A group of catalog items of one program."""

    program = models.CharField(max_length=32)
    code = models.CharField(max_length=32)
    name_ja = models.CharField(max_length=50)
    name_en = models.CharField(max_length=50)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["program", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="category_program_code"),
        ]

    def __str__(self) -> str:
        # The name in the reader's language; the code tells the programs' categories apart.
        return self.name_en if get_language() == "en" else self.name_ja


class Item(models.Model):
    """Something members exchange points for; codes are unique across programs."""

    program = models.CharField(max_length=32)
    code = models.CharField(max_length=32, unique=True)
    name_ja = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_ja = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # Null for fee payment, where the member chooses the points.
    points = models.PositiveIntegerField(null=True, blank=True)
    # Null means unlimited; a digital code item's stock is the number of unused codes.
    stock = models.IntegerField(null=True, blank=True)
    active_from = models.DateField(null=True, blank=True)
    active_until = models.DateField(null=True, blank=True)
    required_level = models.CharField(max_length=8, choices=RequiredLevel.choices)
    position = models.PositiveIntegerField(default=0)
    # A file under programs/images/ named by the catalog file; empty: the category's placeholder.
    image = models.CharField(max_length=100, blank=True, db_default="")

    class Meta:
        ordering = ["program", "position", "code"]
        constraints = [
            # The last guard against overselling: a conditional UPDATE can never go below zero.
            models.CheckConstraint(
                condition=models.Q(stock__isnull=True) | models.Q(stock__gte=0),
                name="item_stock_not_negative",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind=Kind.BILL_CREDIT, points__isnull=True)
                    | (~models.Q(kind=Kind.BILL_CREDIT) & models.Q(points__gt=0))
                ),
                name="item_points_match_kind",
            ),
        ]
        indexes = [models.Index(fields=["program", "category"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name_ja}"


class Status(models.TextChoices):
    """States of a redemption (SPEC §7)."""

    REQUESTED = "REQUESTED"
    FULFILLED = "FULFILLED"
    CANCELED = "CANCELED"


class Redemption(models.Model):
    """One exchange of points by a member: the debit, what is owed to them, and its state."""

    # Unique by the constraint below (unique=True would add a second, pattern index on it).
    number = models.CharField(max_length=16)
    program = models.CharField(max_length=32)
    # Both are the first column of an index below, which serves them too.
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="redemptions", db_index=False
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="redemptions", db_index=False
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="redemptions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    points = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_on = models.DateField()
    requested_at = models.DateTimeField(db_default=Now())
    # Fee payment: the first day of the month whose bill carries the credit.
    bill_month = models.DateField(null=True, blank=True)
    ship_name = models.CharField(max_length=200, blank=True)
    ship_postal_code = models.CharField(max_length=8, blank=True)
    ship_address = models.CharField(max_length=400, blank=True)
    ship_phone = models.CharField(max_length=32, blank=True)
    # No foreign keys into the journal in the database: on PostgreSQL the journal is
    # partitioned and its key is (id, account_id, effective_on), which a key from here would
    # have to carry whole; entries are never deleted and `memberclub audit` checks both
    # (`redemption_names_entries`).
    debit = models.OneToOneField(
        Entry, on_delete=models.PROTECT, related_name="redemption", db_constraint=False
    )
    # The balance right after the debit, as the confirmation and a repeated request show it.
    balance_after = models.IntegerField()
    refund = models.OneToOneField(
        Entry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunded_redemption",
        db_constraint=False,
    )
    # The member's idempotency key (the portal's one-time form token or the API header) and a
    # digest of what was asked, so a reused key with another request is told apart.
    idempotency_key = models.CharField(max_length=100)
    request_digest = models.CharField(max_length=64)
    via = models.CharField(max_length=8)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    canceled_on = models.DateField(null=True, blank=True)
    canceled_by = models.CharField(max_length=150, blank=True)
    cancel_reason = models.TextField(blank=True)
    # When the receipt email was queued: the worker queues those still empty, so the request
    # itself writes no task row (the redemption is its own outbox).
    receipt_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        permissions = [("cancel_redemption", "Can cancel a requested redemption")]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="redemption_number"),
            # The account too, as the distribution key (docs/operations.md "Distributing the
            # database"): one account per member, so it guards what (member, key) did.
            models.UniqueConstraint(
                fields=["member", "idempotency_key", "account"], name="redemption_member_key"
            ),
            models.CheckConstraint(condition=models.Q(points__gt=0), name="redemption_points"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind=Kind.BILL_CREDIT, bill_month__isnull=False)
                    | (~models.Q(kind=Kind.BILL_CREDIT) & models.Q(bill_month__isnull=True))
                ),
                name="redemption_bill_month_for_fee_payment",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status=Status.CANCELED, refund__isnull=False)
                    | (~models.Q(status=Status.CANCELED) & models.Q(refund__isnull=True))
                ),
                name="redemption_canceled_has_refund",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "kind", "requested_on"]),
            models.Index(
                fields=["bill_month"],
                condition=models.Q(bill_month__isnull=False),
                name="redemption_bill_month",
            ),
            models.Index(
                fields=["id"],
                condition=models.Q(receipt_queued_at__isnull=True),
                name="redemption_receipt_due",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class DigitalCode(models.Model):
    """One code of an item's pool; handed to at most one redemption, shown once."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(max_length=200)
    # No foreign key in the database: the pool is replicated to every node of a distributed
    # database, and a replicated table cannot point into a distributed one. The code is handed
    # out in the redemption's transaction, and a redemption is never deleted.
    redemption = models.OneToOneField(
        Redemption,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="digital_code",
        db_constraint=False,
    )
    loaded_at = models.DateTimeField(db_default=Now())
    shown_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "code"], name="digital_code_unique"),
        ]
        indexes = [
            models.Index(
                fields=["item", "id"],
                condition=models.Q(redemption__isnull=True),
                name="digital_code_free",
            )
        ]

    def __str__(self) -> str:
        return gettext("code %(id)s of %(item)s") % {"id": self.pk, "item": self.item.code}
