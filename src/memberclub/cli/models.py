"""The leases of running workers, so that a task whose worker died is taken up again."""

from django.db import models


class WorkerLease(models.Model):
    """One live `memberclub worker`: it renews `renewed_at` while it runs."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    renewed_at = models.DateTimeField()

    class Meta:
        verbose_name = "ワーカーのリース"
        verbose_name_plural = "ワーカーのリース"

    def __str__(self) -> str:
        return self.worker_id
