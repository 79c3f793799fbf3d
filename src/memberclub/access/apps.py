"""App configuration for access."""

from django.apps import AppConfig


class AccessConfig(AppConfig):
    """Registration requests, auth keys, trusted devices, attempt limits."""

    name = "memberclub.access"
    label = "access"
    verbose_name = "アクセス・登録"
