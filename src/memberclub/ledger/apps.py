"""App configuration for the ledger."""

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    """The points ledger."""

    name = "memberclub.ledger"
    label = "ledger"
