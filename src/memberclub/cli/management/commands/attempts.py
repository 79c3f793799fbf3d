"""`memberclub attempts prune --as-of YYYY-MM-DD`: forget failed attempts that no longer count."""

import datetime as dt
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from memberclub.access.attempts import attempts_prune
from memberclub.cli.base import JsonCommand, date_argument


class Command(JsonCommand):
    """Delete the failed login and key attempts older than the limits' window."""

    help = (
        "Delete the failed login, access-key and auth-key attempts that no longer count at the "
        "start of the as-of day (run it daily); running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: `prune --as-of YYYY-MM-DD`."""
        verbs = parser.add_subparsers(dest="verb", required=True)
        prune = verbs.add_parser("prune", help="delete attempts that no longer count")
        prune.add_argument("--as-of", type=date_argument, required=True, help="YYYY-MM-DD")

    def perform(self, **options: Any) -> dict[str, Any]:
        """Prune as of the start of the given day, local time."""
        start = timezone.make_aware(dt.datetime.combine(options["as_of"], dt.time.min))
        deleted, before = attempts_prune(as_of=start)
        return {"deleted": deleted, "before": timezone.localtime(before).isoformat()}

    def summarise(self, result: dict[str, Any]) -> str:
        """One line: how many attempts went, and the cut-off."""
        return f"deleted {result['deleted']:,} failed attempts made before {result['before']}"
