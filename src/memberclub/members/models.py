"""Members of the club."""

from django.conf import settings
from django.db import models

from memberclub.contracts.models import Contract

# The domain of the placeholder address of an anonymised member (RFC 2606: never delivered).
ANONYMISED_DOMAIN = "@anonymised.invalid"


class Language(models.TextChoices):
    """Languages a member can read the club in."""

    JA = "ja", "日本語"
    EN = "en", "English"


class Member(models.Model):
    """A person registered in the club, tied to one contract; the login is the member ID."""

    member_id = models.CharField(max_length=12, unique=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="members")
    program = models.CharField(max_length=32)
    email = models.EmailField()
    nickname = models.CharField(max_length=50)
    # The date registration completed; eligibility for grants is counted from it.
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    mail_opt_in = models.BooleanField(default=False)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.JA)
    source = models.CharField(max_length=10, default="portal")
    # Set when the mail server refused the address permanently; no more mail goes to it until
    # the member changes the address.
    email_bouncing_since = models.DateTimeField(
        "メール不達（返送）の検出日時", null=True, blank=True
    )

    class Meta:
        constraints = [
            # A contract has at most one current member; former members keep their rows.
            models.UniqueConstraint(
                fields=["contract"],
                condition=models.Q(left_on__isnull=True),
                name="member_one_current_per_contract",
            ),
            models.CheckConstraint(
                condition=models.Q(member_id__regex=r"^MC[0-9]{10}$"),
                name="member_id_format",
            ),
        ]
        indexes = [models.Index(fields=["program", "joined_on"])]

    def __str__(self) -> str:
        return self.member_id

    @property
    def is_anonymised(self) -> bool:
        """Whether `members anonymise` replaced this former member's personal data."""
        return self.email.endswith(ANONYMISED_DOMAIN)
