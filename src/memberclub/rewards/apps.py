"""App configuration for rewards."""

from django.apps import AppConfig


class RewardsConfig(AppConfig):
    """Catalog items, digital codes and redemptions."""

    name = "memberclub.rewards"
    label = "rewards"
    verbose_name = "Rewards"
