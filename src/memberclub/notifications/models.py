"""What was sent (so each email goes once) and the club notices of the portal."""

from django.db import models


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
        return f"{self.kind} to {self.to}"


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
