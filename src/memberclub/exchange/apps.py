"""App configuration for the exchange pages."""

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """The exchange flow of the member portal."""

    name = "memberclub.exchange"
    label = "exchange"
