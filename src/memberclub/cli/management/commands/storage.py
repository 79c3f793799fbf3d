"""`memberclub storage check [--repair]` and `memberclub storage purge --as-of D`."""

import datetime as dt
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from memberclub.cli.base import EXIT_FAILED, JsonCommand, date_argument
from memberclub.cli.batch import progress_bar
from memberclub.domain.errors import Refused
from memberclub.storage.maintenance import storage_check, storage_purge


class Command(JsonCommand):
    """Check the stored objects against the database, or purge former members' files."""

    help = (
        "check: compare the stored objects with the database and report orphans either way "
        "(--repair fixes them); purge: delete the files of memberships past their keep date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: `check [--repair] [--stale-hours H]`, `purge --as-of D [--chunk N]`."""
        verbs = parser.add_subparsers(dest="verb", required=True)
        check = verbs.add_parser("check", help="compare stored objects with the database")
        check.add_argument("--repair", action="store_true", help="delete orphans, fix sizes")
        check.add_argument(
            "--stale-hours",
            type=int,
            default=24,
            help="reservations older than this are uploads that died (default 24)",
        )
        purge = verbs.add_parser("purge", help="delete files past their keep date")
        purge.add_argument("--as-of", type=date_argument, required=True, help="YYYY-MM-DD")
        purge.add_argument("--chunk", type=int, default=500, help="files per transaction")

    def perform(self, **options: Any) -> dict[str, Any]:
        """Run the verb."""
        if options["verb"] == "check":
            if options["stale_hours"] < 1:
                raise Refused("--stale-hours must be at least 1")
            stale_before = timezone.now() - dt.timedelta(hours=options["stale_hours"])
            with progress_bar(self.stdout, "storage check") as progress:
                checked = storage_check(
                    repair=options["repair"], stale_before=stale_before, progress=progress
                )
            if not checked.ok and not checked.repaired:
                self.exit_status = EXIT_FAILED
            return {"verb": "check", **checked.as_dict()}
        if options["chunk"] < 1:
            raise Refused("--chunk must be at least 1")
        with progress_bar(self.stdout, f"storage purge {options['as_of']}") as progress:
            purged = storage_purge(
                as_of=options["as_of"], chunk_size=options["chunk"], progress=progress
            )
        return {"verb": "purge", **purged.as_dict()}

    def summarise(self, result: dict[str, Any]) -> str:
        """One line for each verb."""
        if result["verb"] == "purge":
            return (
                f"storage purge {result['as_of']}: deleted {result['files']:,} files "
                f"({result['bytes']:,} bytes) of {result['members']:,} former members"
            )
        state = (
            "repaired"
            if result["repaired"] and not result["ok"]
            else ("ok" if result["ok"] else "NOT ok")
        )
        return (
            f"storage check: {state}; {result['files']:,} files, {result['objects']:,} objects, "
            f"{result['orphan_objects']:,} orphan objects ({result['orphan_bytes']:,} bytes), "
            f"{result['missing_objects']:,} missing objects, "
            f"{result['size_mismatches']:,} size mismatches, "
            f"{result['stale_reservations']:,} stale reservations"
        )
