"""Accounts, lots, entries and draws.

An entry that touches one lot names it by (account, expires_on): grants, positive adjustments,
expiries and revocations. An entry that touches several lots (redemption, refund, forfeiture,
negative adjustment) has no expires_on and records one draw per lot. So every lot's remaining
points equal its single-lot entries plus its draws, which is what the audit re-derives.
"""

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext

from memberclub import formats
from memberclub.members.models import Member


class Account(models.Model):
    """The points account of one member in one program; its id is the distribution key."""

    program = models.CharField(max_length=32)
    member = models.OneToOneField(Member, on_delete=models.PROTECT, related_name="account")
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [models.Index(fields=["program", "id"])]

    def __str__(self) -> str:
        return gettext("points account %(id)s (%(program)s)") % {
            "id": self.pk,
            "program": self.program,
        }


# Foreign keys whose column leads a composite index or unique constraint get no index of their
# own (db_index=False): every index is written on every insert, and the ledger's tables take
# millions of rows a month.


class Lot(models.Model):
    """The points of one account that share one expiry date (the last day they can be used)."""

    # No foreign key in the database (docs/decisions.md, the journal's shape): checking one
    # locks the account row for every lot a run creates. Every writer reads or locks the
    # account before it writes, accounts are never deleted, and the audit checks it.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="lots", db_index=False, db_constraint=False
    )
    program = models.CharField(max_length=32)
    expires_on = models.DateField()
    granted = models.IntegerField()
    remaining = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "expires_on"], name="lot_account_expiry"),
            models.CheckConstraint(
                condition=models.Q(remaining__gte=0) & models.Q(remaining__lte=models.F("granted")),
                name="lot_remaining_within_granted",
            ),
        ]
        # No index names `remaining`, and on PostgreSQL each page keeps half its room
        # (ledger/sql/0008_lot_room_to_update.pg.sql): every grant, draw and expiry rewrites a
        # lot's `remaining`, and so each rewrite stays on its page and touches no index (a HOT
        # update). Measured in docs/decisions.md, 2026-12-04, the expiry within its aim.

    def __str__(self) -> str:
        return gettext("lot %(id)s: %(remaining)s of %(granted)s, usable through %(until)s") % {
            "id": self.pk,
            "remaining": formats.points(self.remaining),
            "granted": formats.points(self.granted),
            "until": formats.date(self.expires_on),
        }


class EntryKind(models.TextChoices):
    """Kinds of journal entries (SPEC §6)."""

    GRANT = "GRANT"
    REDEEM = "REDEEM"
    REFUND = "REFUND"
    EXPIRE = "EXPIRE"
    FORFEIT = "FORFEIT"
    REVOKE = "REVOKE"
    ADJUST = "ADJUST"


CREDIT_KINDS = (EntryKind.GRANT, EntryKind.REFUND)
DEBIT_KINDS = (EntryKind.REDEEM, EntryKind.EXPIRE, EntryKind.FORFEIT)


class Entry(models.Model):
    """One append-only change of points: positive credits, negative debits."""

    program = models.CharField(max_length=32)
    # No foreign key in the database, as for the lot's account: checked by `memberclub audit`.
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(max_length=8, choices=EntryKind.choices)
    points = models.IntegerField()
    # The date the entry takes effect: the award date of a grant, the effective date of a debit.
    effective_on = models.DateField()
    # Set on single-lot entries: the expiry date of the one lot they touch.
    expires_on = models.DateField(null=True, blank=True)
    rule = models.CharField(max_length=24, blank=True, db_default="")
    period = models.CharField(max_length=10, blank=True, db_default="")
    idempotency_key = models.CharField(max_length=200)
    reason = models.TextField(blank=True, db_default="")
    # Points a revocation could not take back because they had already been spent.
    shortfall = models.IntegerField(db_default=0)
    reverses = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
        db_index=False,  # indexed below only where set: few entries reverse another
        # A database check would run for every entry a monthly run writes, all without a
        # reversed entry; the journal is append-only and the audit checks it.
        db_constraint=False,
    )
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        verbose_name_plural = "entries"
        # The idempotency key is unique per program in EntryKey, not here: on PostgreSQL the
        # journal is partitioned by the effective date, and a unique key of a partitioned table
        # must hold the date, which would let one key land once in every fiscal year.
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=CREDIT_KINDS, points__gt=0)
                    | models.Q(kind__in=DEBIT_KINDS, points__lt=0)
                    | models.Q(kind=EntryKind.REVOKE, points__lte=0)
                    | (models.Q(kind=EntryKind.ADJUST) & ~models.Q(points=0))
                ),
                name="entry_sign_matches_kind",
            ),
            models.CheckConstraint(condition=models.Q(shortfall__gte=0), name="entry_shortfall"),
        ]
        indexes = [
            models.Index(fields=["account", "effective_on"], name="entry_account_effective_on"),
            models.Index(
                fields=["reverses"],
                condition=models.Q(reverses__isnull=False),
                name="entry_reverses",
            ),
        ]

    def __str__(self) -> str:
        return gettext("entry %(id)s: %(points)s on %(on)s") % {
            "id": self.pk,
            "points": f"{self.points:+,}",
            "on": formats.date(self.effective_on),
        }


class Draw(models.Model):
    """The part of a multi-lot entry that landed on one lot (negative takes, positive returns)."""

    # The database's keys to the entry and the lot carry the account and the date on
    # PostgreSQL, (entry_id, account_id, effective_on) and (lot_id, account_id), written by
    # ledger/sql/0007_partitioned_journal.pg.sql: Django's one-column key cannot say so.
    # SQLite checks neither; the audit checks both (`draw_names_entry_and_lot`).
    entry = models.ForeignKey(
        Entry, on_delete=models.PROTECT, related_name="draws", db_index=False, db_constraint=False
    )
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="draws", db_constraint=False
    )
    # Read with its entry or lot, never looked up by itself: no index of its own. No foreign
    # key in the database either: the audit checks that a draw's account is its lot's.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    points = models.IntegerField()
    # Its entry's effective date: the partition key of the draws, as of the entries.
    effective_on = models.DateField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~models.Q(points=0), name="draw_not_zero"),
            models.UniqueConstraint(
                fields=["account", "entry", "lot", "effective_on"], name="draw_account_entry_lot"
            ),
        ]

    def __str__(self) -> str:
        return gettext("draw %(points)s on lot %(lot)s") % {
            "points": f"{self.points:+,}",
            "lot": self.lot_id,
        }


class EntryKey(models.Model):
    """An idempotency key of the journal, claimed before its entry is written (SPEC §6).

    Unique per program whatever the entry's date, which a key of the entry itself cannot be
    once the journal is partitioned by that date. Every writer inserts the key first and
    writes the entry only when the key was new; the row names the entry by its account and
    date, so a lookup by key reads one partition. Unpartitioned, and keyed by its own value
    rather than the account (docs/operations.md, "Distributing the database").
    """

    pk = models.CompositePrimaryKey("program", "idempotency_key")
    program = models.CharField(max_length=32)
    idempotency_key = models.CharField(max_length=200)
    # No foreign key in the database, as for the entry's account: the audit checks it.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    # The entry's effective date.
    effective_on = models.DateField()

    def __str__(self) -> str:
        return gettext("idempotency key %(key)s (%(program)s)") % {
            "key": self.idempotency_key,
            "program": self.program,
        }
