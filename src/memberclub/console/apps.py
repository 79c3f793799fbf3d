"""App configuration for the console."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ConsoleConfig(AppConfig):
    """Operator console."""

    name = "memberclub.console"
    label = "console"
    verbose_name = "コンソール"

    def ready(self) -> None:
        """Keep the staff role groups in step with the code after every migrate."""
        from memberclub.console.roles import roles_sync  # noqa: PLC0415 - needs the app registry

        post_migrate.connect(roles_sync, sender=self, dispatch_uid="memberclub.console.roles")
