"""`memberclub migrate`: Django's migrate, with --json and the memberclub exit statuses."""

import io
from typing import Any

from django.core.management import call_command
from django.core.management.commands.migrate import Command as DjangoMigrate

from memberclub.cli.base import JsonCommand


class Command(JsonCommand):
    """Bring the database schema up to date."""

    help = "Apply every pending migration to the configured database."
    # Django's system check compares this with makemigrations' autodetector.
    autodetector = DjangoMigrate.autodetector

    def perform(self, **options: Any) -> dict[str, Any]:
        """Run Django's migrate quietly and report what it applied."""
        output = io.StringIO()
        call_command(DjangoMigrate(), interactive=False, verbosity=1, stdout=output)
        applied = [
            line.split()[1].rstrip(".")
            for line in output.getvalue().splitlines()
            if " Applying " in line
        ]
        return {"applied": applied}

    def summarise(self, result: dict[str, Any]) -> str:
        """How many migrations were applied."""
        return f"migrations applied: {len(result['applied'])}"
