"""The audit log of the console: every staff change and every view of a member's data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext


class AuditLog(models.Model):
    """One staff action: who, when, what kind, on which object and whose contract."""

    at = models.DateTimeField("日時", db_index=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="担当者"
    )
    action = models.CharField("操作", max_length=20)
    object_type = models.CharField("対象", max_length=60)
    object_id = models.CharField("対象ID", max_length=40, blank=True)
    customer_id = models.CharField("お客さまID", max_length=20, blank=True, db_index=True)
    detail = models.TextField("内容", blank=True)

    class Meta:
        verbose_name = "監査ログ"
        verbose_name_plural = "監査ログ"
        ordering = ["-at", "-pk"]
        # Held by the ADMIN role: the console's points adjustment form.
        permissions = [("adjust_points", "Can adjust a member's points with a reason")]

    def __str__(self) -> str:
        return gettext("audit log line %(id)s") % {"id": self.pk}
