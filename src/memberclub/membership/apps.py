"""App configuration for membership."""

from django.apps import AppConfig


class MembershipConfig(AppConfig):
    """Registration, the legacy member import, a member's own changes and the end of membership."""

    name = "memberclub.membership"
    label = "membership"

    def ready(self) -> None:
        """Connect the receiver of contract endings."""
        from memberclub.membership import ending  # noqa: F401, PLC0415 - connects on import
