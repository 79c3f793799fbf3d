"""App configuration for the reports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The finance reports and the journal summary they read."""

    name = "memberclub.reports"
    label = "reports"
    verbose_name = _("Reports")
