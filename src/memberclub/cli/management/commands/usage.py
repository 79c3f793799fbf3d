"""`memberclub usage import FILE [--encoding cp932]`: upsert the usage feed of the west program."""

from memberclub.cli.feeds import FeedImportCommand
from memberclub.usage.importer import usage_import


class Command(FeedImportCommand):
    """Import the usage feed."""

    help = "Import the usage feed (CSV), upserting by customer ID and billing month."
    noun = "usage"
    importer = usage_import
