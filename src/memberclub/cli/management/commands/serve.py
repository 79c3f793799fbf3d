"""`memberclub serve [--host H] [--port P]`: the production WSGI server (gunicorn)."""

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

# One worker process per core, each with a few threads: a request spends part of its time
# waiting for PostgreSQL, which another thread of the same process uses. More processes only
# add switching between them; more threads per process add nothing once the core is busy.
WORKERS = os.cpu_count() or 2
THREADS = 4


class Command(BaseCommand):
    """Serve the portal, console and API."""

    help = "Serve memberclub over HTTP with gunicorn (default 127.0.0.1:8000)."

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: --host, --port, --workers, --threads."""
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_WORKERS", WORKERS))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("WEB_THREADS", THREADS))
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Replace this process with gunicorn serving memberclub's WSGI application."""
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "memberclub.config.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["workers"]),
            # Threads (gthread workers) also keep clients' connections alive between requests.
            "--worker-class",
            "gthread",
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
        ]
        os.execv(sys.executable, command)  # noqa: S606 - a fixed command, no shell
