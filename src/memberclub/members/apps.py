"""App configuration for members."""

from django.apps import AppConfig


class MembersConfig(AppConfig):
    """Members."""

    name = "memberclub.members"
    label = "members"
