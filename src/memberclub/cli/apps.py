"""App configuration for the command line."""

from django.apps import AppConfig


class CliConfig(AppConfig):
    """The memberclub commands."""

    name = "memberclub.cli"
    label = "cli"

    def ready(self) -> None:
        """Register the deployment checks of `memberclub check --deploy`."""
        from memberclub import deploy_checks  # noqa: F401, PLC0415 - registers on import
