"""App configuration for programs."""

from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    """Program definitions."""

    name = "memberclub.programs"
    label = "programs"
