"""`memberclub worker [--batch]`: send queued email and run other background tasks."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandParser
from django_tasks_db.models import DBTaskResult

from memberclub.cli.base import JsonCommand


class Command(JsonCommand):
    """Run the task worker (django-tasks-db) until stopped, or once through with --batch."""

    help = "Run queued tasks (email): until SIGTERM/Ctrl-C, or with --batch until none is ready."

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: --batch, --interval, --queue."""
        parser.add_argument("--batch", action="store_true", help="stop when no task is ready")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument("--queue", default="*", help="queue names, comma-separated, or *")

    def perform(self, **options: Any) -> dict[str, Any]:
        """Hand over to django-tasks-db's worker; several workers can share one queue."""
        call_command(
            "db_worker",
            queue_name=options["queue"],
            interval=options["interval"],
            batch=options["batch"],
            reload=False,
            startup_delay=not options["batch"],
            verbosity=options.get("verbosity", 1),
        )
        return {
            "ready": DBTaskResult.objects.ready().count(),
            "failed": DBTaskResult.objects.failed().count(),
        }
