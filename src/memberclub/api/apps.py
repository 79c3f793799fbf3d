"""App configuration for the API."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ApiConfig(AppConfig):
    """Member and operator REST API."""

    name = "memberclub.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        """Grant the rewards permissions to the staff roles after every migrate.

        Installed after the console, this app's post_migrate comes after the console's, which
        creates the role groups and sets their own permissions.
        """
        from memberclub.rewards.roles import rewards_roles_grant  # noqa: PLC0415 - apps not ready before

        post_migrate.connect(rewards_roles_grant, sender=self, dispatch_uid="memberclub.rewards")
