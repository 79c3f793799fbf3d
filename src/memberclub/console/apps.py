"""App configuration for the console."""

from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """Operator console."""

    name = "memberclub.console"
    label = "console"
