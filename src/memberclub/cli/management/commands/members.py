"""`memberclub members import FILE`: migrate members from a legacy system."""

from memberclub.cli.feeds import FeedImportCommand
from memberclub.membership.importer import members_import


class Command(FeedImportCommand):
    """Import members."""

    help = "Import members (CSV), upserting by customer ID."
    noun = "members"
    importer = members_import
