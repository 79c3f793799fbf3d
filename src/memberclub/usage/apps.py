"""App configuration for the usage feed."""

from django.apps import AppConfig


class UsageConfig(AppConfig):
    """The usage feed."""

    name = "memberclub.usage"
    label = "usage"
