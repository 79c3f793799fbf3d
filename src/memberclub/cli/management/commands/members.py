"""`memberclub members import FILE` (migrate members from a legacy system) and
`memberclub members anonymise --as-of D` (personal data of members who left)."""

import argparse
from typing import Any

from django.core.management.base import CommandParser

from memberclub.cli.base import date_argument
from memberclub.cli.feeds import FeedImportCommand
from memberclub.cli.system import system_user
from memberclub.console.audit import audit_record
from memberclub.membership.importer import members_import
from memberclub.membership.privacy import members_anonymise


def _record(program: str, left_before: str, member_ids: list[str]) -> None:
    """One audit line per chunk, in the chunk's own transaction."""
    audit_record(
        staff=system_user(),
        action="anonymise",
        object_type="member",
        detail=(
            f"program={program} left_before={left_before} members={len(member_ids)} "
            f"({member_ids[0]}…{member_ids[-1]})"
        ),
    )


class Command(FeedImportCommand):
    """Import members, or anonymise those who left."""

    help = "Import members (CSV), upserting by customer ID; or anonymise members who left."
    noun = "members"
    importer = members_import

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: `import FILE [--encoding E]` and `anonymise --as-of D`."""
        super().add_arguments(parser)
        verbs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        anonymise = verbs.add_parser(
            "anonymise", help="anonymise members who left more than the retention before D"
        )
        anonymise.add_argument("--as-of", type=date_argument, required=True, help="YYYY-MM-DD")

    def perform(self, **options: Any) -> dict[str, Any]:
        """Import the file, or anonymise."""
        if options["verb"] != "anonymise":
            return super().perform(**options)
        return members_anonymise(as_of=options["as_of"], record=_record).as_dict()

    def summarise(self, result: dict[str, Any]) -> str:
        """The import's summary, or the anonymised counts."""
        if "anonymised" in result:
            return f"anonymised={result['anonymised']} by_program={result['by_program']}"
        return super().summarise(result)
