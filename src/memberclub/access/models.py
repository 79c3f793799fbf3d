"""Registration requests, auth keys, trusted devices and failed attempts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext

from memberclub.contracts.models import Contract
from memberclub.members.models import Language, Member


class SignupToken(models.Model):
    """The one-time link that lets an applicant set a password on a verified contract."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+")
    email = models.EmailField()
    nickname = models.CharField(max_length=50)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.JA)
    # SHA-256 of the random token in the link: the token is long and random, so a fast
    # digest suffices, and a stolen table holds no usable links.
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT)

    def __str__(self) -> str:
        return gettext("sign-up of %(customer_id)s") % {"customer_id": self.contract.customer_id}


class EasyStatus(models.TextChoices):
    """Where an easy-registration request stands."""

    PENDING = "PENDING", "審査待ち"
    APPROVED = "APPROVED", "承認"
    REJECTED = "REJECTED", "却下"


class EasyRegistration(models.Model):
    """An easy registration (らくらく登録): an applicant without the notice asks to be matched."""

    holder_name = models.CharField("契約者名", max_length=200)
    phone = models.CharField("電話番号", max_length=32)
    postal_code = models.CharField("郵便番号", max_length=8)
    address = models.CharField("住所", max_length=400)
    email = models.EmailField("メールアドレス")
    nickname = models.CharField("ニックネーム", max_length=50)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.JA)
    status = models.CharField(
        "状態", max_length=10, choices=EasyStatus.choices, default=EasyStatus.PENDING
    )
    # Why the automatic match did not decide: "no match" or "2 matches".
    match_note = models.CharField("照合結果", max_length=100, blank=True)
    contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("却下理由", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField("受付日時")

    class Meta:
        verbose_name = "らくらく登録申請"
        verbose_name_plural = "らくらく登録申請"
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"らくらく登録 #{self.pk} {self.holder_name}"


class AuthKeyStatus(models.TextChoices):
    """The life of an auth key: queued for the printer, then usable until used or void."""

    QUEUED = "QUEUED", "印刷待ち"
    SENT = "SENT", "郵送済み"
    USED = "USED", "使用済み"
    REPLACED = "REPLACED", "再発行により無効"
    VOID = "VOID", "入力誤りにより無効"


class AuthKey(models.Model):
    """An auth key letter: its key is made and printed by `letters export`, stored only hashed."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="auth_keys")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=AuthKeyStatus.choices)
    requested_at = models.DateTimeField()
    key_hash = models.CharField(max_length=200, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    letter_sent_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.CharField(max_length=20, default="member")

    class Meta:
        verbose_name = "認証キー"
        verbose_name_plural = "認証キー"
        indexes = [models.Index(fields=["status", "requested_at"])]
        constraints = [
            # One live key (queued or sent) per member: a new request replaces the old one.
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status__in=["QUEUED", "SENT"]),
                name="auth_key_one_live_per_member",
            )
        ]

    def __str__(self) -> str:
        return gettext("auth-key letter %(id)s") % {"id": self.pk}


class TrustedDevice(models.Model):
    """A browser that entered a valid auth key: it counts as on the line for one member."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="trusted_devices")
    # SHA-256 of the random token kept in the browser's cookie.
    token_digest = models.CharField(max_length=64)
    label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # With the member (the account key, docs/operations.md "Distributing the database");
            # led by the digest, which is what a request looks up. A random 256-bit digest does
            # not repeat, so unique per member guards what unique alone did.
            models.UniqueConstraint(fields=["token_digest", "member"], name="trusted_device_token")
        ]

    def __str__(self) -> str:
        return gettext("trusted device %(id)s") % {"id": self.pk}


class FailedAttempt(models.Model):
    """One failed login, access-key or auth-key attempt, counted per subject in a window."""

    scope = models.CharField(max_length=12)
    # "id:<customer or member ID>" or "ip:<client IP>"; an unknown ID is counted like a known one.
    subject = models.CharField(max_length=120)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["scope", "subject", "at"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.subject} {self.at}"
