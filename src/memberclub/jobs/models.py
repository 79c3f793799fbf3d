"""Records of periodic jobs: one run per (program, job, period), claimed in chunks of accounts."""

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext


class JobRun(models.Model):
    """A periodic job of one program for one period (a month, or an as-of date)."""

    program = models.CharField(max_length=32)
    job = models.CharField(max_length=16)
    period = models.CharField(max_length=10)
    started_at = models.DateTimeField(db_default=Now())
    # Set when a run over every account of the program has done every chunk.
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "job", "period"], name="job_run_period")
        ]

    def __str__(self) -> str:
        return gettext("%(job)s run of %(program)s for %(period)s") % {
            "job": self.job,
            "program": self.program,
            "period": self.period,
        }


class JobChunk(models.Model):
    """A range of account keys of a run, claimed and done in the same transaction as its work."""

    run = models.ForeignKey(JobRun, on_delete=models.PROTECT, related_name="chunks")
    first_account = models.BigIntegerField()
    last_account = models.BigIntegerField()
    accounts = models.IntegerField(db_default=0)
    points = models.BigIntegerField(db_default=0)
    # Points by rule written by this chunk, e.g. {"monthly": 1200, "renewal_bonus": 1000}.
    by_rule = models.JSONField(default=dict)
    done_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "first_account", "last_account"], name="job_chunk_range"
            )
        ]

    def __str__(self) -> str:
        return gettext("chunk of accounts %(first)s to %(last)s") % {
            "first": self.first_account,
            "last": self.last_account,
        }
