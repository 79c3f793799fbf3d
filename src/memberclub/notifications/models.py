"""What was sent (so each email goes once) and the club notices of the portal."""

from django.db import models
from django.utils.translation import gettext


class SentEmail(models.Model):
    """One email that left for the SMTP server; its key makes a second send a no-op."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40)
    to = models.EmailField()
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = "送信済みメール"
        verbose_name_plural = "送信済みメール"

    def __str__(self) -> str:
        return gettext("mail sent to %(to)s") % {"to": self.to}


class Notice(models.Model):
    """A club notice (お知らせ) on the member's top page."""

    program = models.CharField(
        "プログラム", max_length=32, blank=True, help_text="空欄は全プログラム"
    )
    title_ja = models.CharField("タイトル（日本語）", max_length=200)
    title_en = models.CharField("Title (English)", max_length=200)
    body_ja = models.TextField("本文（日本語）", blank=True)
    body_en = models.TextField("Body (English)", blank=True)
    published_on = models.DateField("掲載日")
    until = models.DateField("掲載終了日", null=True, blank=True)

    class Meta:
        verbose_name = "お知らせ"
        verbose_name_plural = "お知らせ"
        ordering = ["-published_on", "-pk"]

    def __str__(self) -> str:
        return self.title_ja


class MailStatus(models.TextChoices):
    """Where a club notice is on its way out."""

    QUEUED = "QUEUED"
    SENT = "SENT"
    # The mail server refused the address permanently (5xx): the address is marked bouncing.
    BOUNCED = "BOUNCED"
    # Not sent: the address bounces, the member left or opted out since it was queued.
    SUPPRESSED = "SUPPRESSED"
    # Every attempt failed, or the mail server refused the message itself.
    FAILED = "FAILED"
    # Withdrawn before it was sent (a program end that was cancelled).
    CANCELED = "CANCELED"


class NoticeMail(models.Model):
    """One club notice to one member (balance, expiry warning, program end), queued set-based by
    the jobs and sent in batches by the worker; once per (member, kind, period)."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, db_index=False)
    program = models.CharField(max_length=32)
    kind = models.CharField(max_length=24)
    # The month (YYYY-MM) of a monthly notice, or the end's key for program-end mail.
    period = models.CharField(max_length=16)
    status = models.CharField(max_length=10, choices=MailStatus.choices, default=MailStatus.QUEUED)
    # The figures as of the notice's date, fixed when it was queued.
    balance = models.BigIntegerField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    expiring_points = models.BigIntegerField(null=True, blank=True)
    send_after = models.DateTimeField()
    attempts = models.IntegerField(default=0)
    # A worker that claims a mail holds it until then; past it, another worker may take it.
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_to = models.CharField(max_length=254, blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "会員へのお知らせメール"
        verbose_name_plural = "会員へのお知らせメール"
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind", "period"], name="notice_mail_once_per_period"
            )
        ]
        indexes = [
            models.Index(
                fields=["send_after", "id"],
                condition=models.Q(status="QUEUED"),
                name="notice_mail_queued",
            ),
            models.Index(fields=["program", "kind", "period"], name="notice_mail_period"),
        ]

    def __str__(self) -> str:
        return gettext("mail %(id)s to member %(member)s") % {
            "id": self.pk,
            "member": self.member_id,
        }
