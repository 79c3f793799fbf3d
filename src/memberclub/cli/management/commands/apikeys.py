"""`memberclub apikeys create NAME --scope S… | revoke NAME`: operator keys of the API."""

from typing import Any

from django.core.management.base import CommandParser

from memberclub.api.tokens import SCOPES, api_key_create, api_key_revoke
from memberclub.cli.base import JsonCommand
from memberclub.domain.errors import Refused


class Command(JsonCommand):
    """Issue or revoke API keys."""

    help = "Issue an operator API key with scopes (its secret is printed once), or revoke one."

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: `create NAME --scope S…` and `revoke NAME`."""
        verbs = parser.add_subparsers(dest="verb", required=True)
        create = verbs.add_parser("create", help="issue a key")
        create.add_argument("name")
        create.add_argument(
            "--scope", action="append", required=True, choices=sorted(SCOPES), dest="scopes"
        )
        revoke = verbs.add_parser("revoke", help="revoke a key")
        revoke.add_argument("name")

    def perform(self, **options: Any) -> dict[str, Any]:
        """Dispatch on the verb."""
        if options["verb"] == "revoke":
            if not api_key_revoke(name=options["name"]):
                raise Refused(f"no live API key named {options['name']!r}")
            return {"revoked": options["name"]}
        issued = api_key_create(name=options["name"], scopes=options["scopes"])
        return {"name": options["name"], "scopes": options["scopes"], "key": issued.secret}

    def summarise(self, result: dict[str, Any]) -> str:
        """The key, once."""
        if "revoked" in result:
            return f"revoked {result['revoked']}"
        return f"{result['name']} ({' '.join(result['scopes'])}): {result['key']}"
