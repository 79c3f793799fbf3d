"""Credentials of the API: members' personal tokens and operators' API keys (digests only)."""

from django.db import models
from django.db.models.functions import Now

from memberclub.members.models import Member


class PersonalToken(models.Model):
    """A member's token for the API; it carries the access level at which it was made."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=50)
    # The first characters, so the member can tell tokens apart; the rest is only digested.
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64)
    level = models.CharField(max_length=8)
    created_at = models.DateTimeField(db_default=Now())
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # With the member (the account key, docs/operations.md "Distributing the database");
            # led by the digest a request looks up, which is random and does not repeat.
            models.UniqueConstraint(fields=["digest", "member"], name="personal_token_digest")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class ApiKey(models.Model):
    """An operator system's key, limited to the scopes it was given."""

    name = models.CharField(max_length=100, unique=True)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    # Space-separated, e.g. "contracts:write members:read".
    scopes = models.CharField(max_length=200)
    created_at = models.DateTimeField(db_default=Now())
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.scopes})"
