"""Members' stored files and the quota held by uploads under way."""

from django.db import models
from django.utils.translation import gettext

from memberclub.members.models import Member


class StoredFile(models.Model):
    """One file of a member: its name is data here, its bytes live under a random object key."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="stored_files")
    # '' is the top level; folders are one level deep.
    folder = models.CharField(max_length=200, blank=True, default="")
    name = models.CharField(max_length=200)
    size = models.BigIntegerField()
    object_key = models.CharField(max_length=100)
    uploaded_at = models.DateTimeField()

    class Meta:
        constraints = [
            # With the member, the account key (docs/operations.md "Distributing the database").
            models.UniqueConstraint(
                fields=["object_key", "member"], name="storage_file_object_key"
            ),
            models.UniqueConstraint(
                fields=["member", "folder", "name"], name="storage_file_name_per_folder"
            ),
            models.CheckConstraint(condition=models.Q(size__gte=0), name="storage_file_size"),
        ]

    def __str__(self) -> str:
        return gettext("file %(id)s") % {"id": self.pk}


class Reservation(models.Model):
    """Quota bytes held by an upload under way; its objects' keys all start with `key_prefix`.

    Made under the member's row lock before the first byte is accepted, deleted when the upload
    is kept or given up; one left by a crash is cleared by `memberclub storage check --repair`.
    """

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="reservations")
    bytes = models.BigIntegerField()
    key_prefix = models.CharField(max_length=100)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key_prefix", "member"], name="storage_reservation_prefix"
            ),
            models.CheckConstraint(condition=models.Q(bytes__gte=0), name="storage_reserved"),
        ]

    def __str__(self) -> str:
        return gettext("upload reservation %(id)s") % {"id": self.pk}


class MemberStorage(Member):
    """A member seen from storage: what SUPPORT may look at (usage, never names or contents)."""

    class Meta:
        proxy = True
        verbose_name = "ストレージ使用量"
        verbose_name_plural = "ストレージ使用量"
