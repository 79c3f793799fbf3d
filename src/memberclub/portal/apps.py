"""App configuration for the portal."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Member portal."""

    name = "memberclub.portal"
    label = "portal"
