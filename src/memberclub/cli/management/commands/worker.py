"""`memberclub worker [--batch]`: send queued email and run other background tasks."""

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from memberclub.cli.base import JsonCommand
from memberclub.cli.lease import Heartbeat, connections_reset, tasks_reclaim
from memberclub.jobs.mailer import notice_mail_send
from memberclub.notifications.tasks import sent_email_recover
from memberclub.outage import UNAVAILABLE, outage_summary
from memberclub.rewards.receipts import receipts_enqueue

logger = logging.getLogger("memberclub.worker")
# Seconds between attempts to reach a database that is away: doubling, up to the last.
OUTAGE_BACKOFF = (1, 2, 4, 8, 15, 30)


def worker_pass(worker: Worker) -> None:
    """One pass: record what an outage left unrecorded, take back dead workers' tasks (and
    this one's, cut short by an outage), queue receipts, send notices, run the ready tasks."""
    sent_email_recover()
    tasks_reclaim(now=timezone.now(), own_worker_id=worker.worker_id)
    while receipts_enqueue():
        pass  # a batch at a time, until none is due
    notice_mail_send()
    worker.run()


class Command(JsonCommand):
    """Queue the receipts of new redemptions, then run every ready task (django-tasks-db);
    again every --interval seconds until stopped, or once through with --batch."""

    help = "Run queued tasks (email): until SIGTERM/Ctrl-C, or with --batch until none is ready."

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: --batch, --interval, --queue."""
        parser.add_argument("--batch", action="store_true", help="stop when no task is ready")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument("--queue", default="*", help="queue names, comma-separated, or *")

    def perform(self, **options: Any) -> dict[str, Any]:
        """Poll until stopped; several workers can share one queue."""
        DbWorkerCommand().configure_logging(options.get("verbosity", 1))
        worker = Worker(
            queue_names=options["queue"].split(","),
            interval=0,
            batch=True,  # each run goes through the ready tasks and returns to this loop
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )

        stopping = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            # The task under way finishes; the loop ends at its next check.
            worker.running = False
            stopping.set()

        if not options["batch"]:
            signal.signal(signal.SIGINT, stop)
            signal.signal(signal.SIGTERM, stop)
        # The lease lets other workers take up this one's task if it dies (SIGKILL, power).
        heartbeat = Heartbeat(worker_id=worker.worker_id).start()
        failures = 0
        while worker.running:
            try:
                worker_pass(worker)
            except UNAVAILABLE as error:
                if options["batch"]:
                    raise  # one pass: exit 1 with one line (JsonCommand)
                # A long-running worker waits for the database and goes on by itself; what
                # the pass sent and could not record is kept and recorded first.
                delay = OUTAGE_BACKOFF[min(failures, len(OUTAGE_BACKOFF) - 1)]
                failures += 1
                logger.error(
                    "database unavailable: %s, retrying in %d s", outage_summary(error), delay
                )
                connections_reset()
                stopping.wait(delay)
                continue
            if failures:
                logger.error("database available again after %d attempts", failures)
                failures = 0
            if options["batch"]:
                break
            stopping.wait(options["interval"])
        heartbeat.stop()
        return {
            "ready": DBTaskResult.objects.ready().count(),
            "failed": DBTaskResult.objects.failed().count(),
        }
