"""The journal summarised for the reports, kept by database triggers on the journal's tables.

Both tables hold append-only deltas: every statement that inserts entries (or draws) adds one
row per key it touched, so a batch chunk adds a handful of rows, never one per entry, and
concurrent redemptions never wait on a shared row. `summary_compact` folds the deltas of a
program into one row per key; the reports sum whatever rows there are.
"""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class EntrySummary(models.Model):
    """Journal entries of one program, effective date, kind and rule: their count and points."""

    program = models.CharField(_("program"), max_length=32)
    on = models.DateField(_("effective date"))
    kind = models.CharField(_("kind"), max_length=8)
    rule = models.CharField(_("rule"), max_length=24)
    entries = models.BigIntegerField(_("entries"))
    points = models.BigIntegerField(_("points"))

    class Meta:
        verbose_name = _("journal summary")
        verbose_name_plural = _("journal summary")
        indexes = [models.Index(fields=["program", "on"], name="entry_summary_program_on")]

    def __str__(self) -> str:
        return gettext("summary of %(program)s on %(on)s") % {
            "program": self.program,
            "on": self.on,
        }


class LotFlow(models.Model):
    """Points into (+) or out of (−) the lots of one expiry date, by effective date and kind."""

    program = models.CharField(_("program"), max_length=32)
    on = models.DateField(_("effective date"))
    expires_on = models.DateField(_("expiry date"))
    kind = models.CharField(_("kind"), max_length=8)
    points = models.BigIntegerField(_("points"))

    class Meta:
        verbose_name = _("lot flow")
        verbose_name_plural = _("lot flow")
        indexes = [models.Index(fields=["program", "on"], name="lot_flow_program_on")]

    def __str__(self) -> str:
        return gettext("lot flow of %(program)s on %(on)s") % {
            "program": self.program,
            "on": self.on,
        }
