"""`memberclub` console script: Django's management commands with memberclub's own verbs."""

import os
import sys

from django.core.management import execute_from_command_line

from memberclub.outage import UNAVAILABLE, outage_summary


def main(argv: list[str] | None = None) -> int:
    """Run one memberclub command and return its exit status."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memberclub.config.settings")
    arguments = list(sys.argv if argv is None else argv)
    try:
        execute_from_command_line(["memberclub", *arguments[1:]])
    except UNAVAILABLE as error:
        # Django's own commands (migrate, check, shell): one line, no traceback.
        sys.stderr.write(f"memberclub: database unavailable: {outage_summary(error)}\n")
        return 1
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    return 0
