"""App configuration for contracts."""

from django.apps import AppConfig


class ContractsConfig(AppConfig):
    """Contracts and lifecycle events."""

    name = "memberclub.contracts"
    label = "contracts"
