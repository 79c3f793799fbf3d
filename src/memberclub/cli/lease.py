"""Worker leases: a live worker renews its lease; a RUNNING task whose worker's lease expired
is put back in the queue (django-tasks-db alone leaves it RUNNING forever)."""

import contextlib
import datetime as dt
import logging
import threading

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from memberclub.cli.models import WorkerLease
from memberclub.outage import UNAVAILABLE, outage_summary

logger = logging.getLogger(__name__)


def lease_length() -> dt.timedelta:
    """How long a worker that stopped renewing is still believed alive."""
    return dt.timedelta(seconds=settings.WORKER_LEASE_SECONDS)


def lease_renew(*, worker_id: str) -> None:
    """Record that `worker_id` is alive now."""
    WorkerLease.objects.update_or_create(
        worker_id=worker_id, defaults={"renewed_at": timezone.now()}
    )


def lease_release(*, worker_id: str) -> None:
    """A worker that stops cleanly gives its lease up."""
    WorkerLease.objects.filter(worker_id=worker_id).delete()


def connections_reset() -> None:
    """Drop the connections a database outage broke, so the next query connects afresh."""
    for alias in connections:
        with contextlib.suppress(*UNAVAILABLE):
            connections[alias].close()


def tasks_reclaim(*, now: dt.datetime, own_worker_id: str | None = None) -> int:
    """Put back in the queue the RUNNING tasks whose worker's lease has expired, and those of
    `own_worker_id` (called between tasks, it runs none: a database outage cut them short); a
    task that has been taken up too often (it kills its worker) is failed instead. Returns how
    many."""
    expired_before = now - lease_length()
    live = set(
        WorkerLease.objects.filter(renewed_at__gte=expired_before).values_list(
            "worker_id", flat=True
        )
    )
    reclaimed = 0
    # Only the few RUNNING rows are read: one per worker at most, plus the orphans.
    running = DBTaskResult.objects.running()
    for task in running.only("id", "started_at", "worker_ids"):
        last = task.worker_ids[-1] if task.worker_ids else None
        own = own_worker_id is not None and last == own_worker_id
        recent = task.started_at is not None and task.started_at >= expired_before
        if not own and (recent or last in live):
            continue
        # started_at changes on every claim: the update misses if someone else got there first.
        same_claim = DBTaskResult.objects.filter(
            pk=task.pk, status=TaskResultStatus.RUNNING, started_at=task.started_at
        )
        if len(task.worker_ids) >= settings.WORKER_MAX_CLAIMS:
            same_claim.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path="memberclub.cli.lease.LeaseExpired",
                traceback=f"its worker died {len(task.worker_ids)} times while running it",
            )
            logger.error("task %s failed: its worker died %d times", task.pk, len(task.worker_ids))
            continue
        reclaimed += same_claim.update(status=TaskResultStatus.READY)
        logger.warning("task %s taken up again: its worker's lease expired", task.pk)
    WorkerLease.objects.filter(renewed_at__lt=now - 10 * lease_length()).delete()
    return reclaimed


class Heartbeat:
    """Renews a worker's lease from a thread, also while a long task runs."""

    def __init__(self, *, worker_id: str) -> None:
        self.worker_id = worker_id
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="lease", daemon=True)

    def start(self) -> "Heartbeat":
        """Take the lease now (before any task is claimed) and keep renewing it."""
        lease_renew(worker_id=self.worker_id)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop renewing and give the lease up (with the database away, it expires)."""
        self._stopped.set()
        self._thread.join()
        with contextlib.suppress(*UNAVAILABLE):
            lease_release(worker_id=self.worker_id)

    def _beat(self) -> None:
        interval = lease_length().total_seconds() / 4
        failing = False
        try:
            while not self._stopped.wait(interval):
                try:
                    lease_renew(worker_id=self.worker_id)
                    failing = False
                except UNAVAILABLE as error:
                    # A database outage: the next beat tries again on a new connection. Said
                    # once per outage; the worker's loop says how it waits.
                    if not failing:
                        logger.warning("worker lease not renewed: %s", outage_summary(error))
                    failing = True
                    connections_reset()
                except Exception:
                    logger.exception("worker lease not renewed")
        finally:
            connection.close()
