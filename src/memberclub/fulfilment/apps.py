"""App configuration for the fulfilment of shipped redemptions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfilmentConfig(AppConfig):
    """The vendor's CSV out, its answer with tracking numbers in."""

    name = "memberclub.fulfilment"
    label = "fulfilment"
    verbose_name = _("Fulfilment")
