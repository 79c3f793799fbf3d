"""`memberclub contracts import FILE [--encoding cp932]`: upsert the contract feed."""

from memberclub.cli.feeds import FeedImportCommand
from memberclub.contracts.importer import contracts_import


class Command(FeedImportCommand):
    """Import contracts."""

    help = "Import the contract feed (CSV), upserting by customer ID."
    noun = "contracts"
    importer = contracts_import
