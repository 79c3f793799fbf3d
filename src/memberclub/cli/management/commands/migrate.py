"""`memberclub migrate`: Django's migrate, which with --json also prints what it applied."""

import io
import json
from typing import Any

from django.core.management.base import CommandParser, OutputWrapper
from django.core.management.commands.migrate import Command as DjangoMigrate


class Command(DjangoMigrate):
    """Bring the database schema up to date."""

    def add_arguments(self, parser: CommandParser) -> None:
        """Django's arguments plus --json."""
        super().add_arguments(parser)
        parser.add_argument("--json", action="store_true", help="print one JSON object last")

    def handle(self, *args: Any, **options: Any) -> None:
        """Migrate; with --json, print a summary and the applied migrations as JSON."""
        if not options.pop("json", False):
            super().handle(*args, **options)
            return
        terminal, self.stdout = self.stdout, OutputWrapper(io.StringIO())
        try:
            super().handle(*args, **options)
            lines = self.stdout._out.getvalue().splitlines()  # type: ignore[attr-defined]
        finally:
            self.stdout = terminal
        applied = [line.split()[1].rstrip(".") for line in lines if " Applying " in line]
        self.stdout.write(f"migrations applied: {len(applied)}")
        self.stdout.write(json.dumps({"applied": applied}))
