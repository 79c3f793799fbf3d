"""Stored versions of program definitions."""

from django.db import models
from django.utils.translation import gettext


class ProgramVersion(models.Model):
    """One loaded version of a program file, in force from its effective date."""

    program = models.CharField(max_length=32)
    version = models.PositiveIntegerField()
    effective_on = models.DateField()
    definition = models.JSONField()
    source = models.TextField(help_text="The program file exactly as it was loaded.")
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "version"], name="program_version_unique"),
        ]
        indexes = [models.Index(fields=["program", "effective_on"])]

    def __str__(self) -> str:
        return gettext("%(program)s version %(version)s from %(on)s") % {
            "program": self.program,
            "version": self.version,
            "on": self.effective_on,
        }


class ProgramEnd(models.Model):
    """A scheduled end of a program (SPEC §3.4); at most one in force per program."""

    program = models.CharField(max_length=32)
    announce_on = models.DateField()
    registration_closes_on = models.DateField()
    # The first day of the last month that earns points.
    last_accrual_month = models.DateField()
    ends_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)
    # Set when the end was withdrawn (before its end date).
    canceled_on = models.DateField(null=True, blank=True)
    # Set when `program close` first ran (on or after the end date): from then on every
    # membership of the program has ended, on the end date (memberclub.members.selectors).
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program"],
                condition=models.Q(canceled_on__isnull=True),
                name="program_end_one_in_force",
            ),
            models.CheckConstraint(
                condition=models.Q(announce_on__lte=models.F("registration_closes_on"))
                & models.Q(registration_closes_on__lte=models.F("ends_on")),
                name="program_end_dates_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True) | models.Q(canceled_on__isnull=True),
                name="program_end_closed_not_withdrawn",
            ),
        ]

    def __str__(self) -> str:
        return gettext("end of %(program)s on %(on)s") % {
            "program": self.program,
            "on": self.ends_on,
        }
