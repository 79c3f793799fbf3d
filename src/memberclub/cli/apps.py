"""App configuration for the command line."""

from django.apps import AppConfig


class CliConfig(AppConfig):
    """The memberclub commands."""

    name = "memberclub.cli"
    label = "cli"
