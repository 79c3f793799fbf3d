"""`memberclub demo`: set up a demo club in the local database and serve it."""

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from memberclub.contracts.importer import contracts_import
from memberclub.demo.data import write_demo_feeds
from memberclub.ledger.models import Account
from memberclub.ledger.services import points_adjust
from memberclub.members.importer import members_import
from memberclub.programs.services import programs_load_files

ROOT = Path(__file__).resolve().parents[5]
STAFF_USERNAME = "staff"


class Command(BaseCommand):
    """Load both programs and demo data, then serve."""

    help = "Migrate, load both programs and demo data, print the logins and serve on :8000."

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: --no-serve to only prepare the data."""
        parser.add_argument("--no-serve", action="store_true", help="prepare, do not serve")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        """Prepare the demo and serve it."""
        Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
        call_command("migrate", stdout=self.stdout)
        programs_load_files(paths=sorted((ROOT / "programs").glob("*.toml")))
        contracts_csv, members_csv = write_demo_feeds(Path(settings.VAR_DIR) / "demo")
        contracts = contracts_import(path=contracts_csv)
        members = members_import(path=members_csv)
        self.stdout.write(
            f"demo contracts: {contracts.created} new; demo members: {members.created} new"
        )
        self._demo_points()
        password = self._staff_login()
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "memberclub demo",
                    f"  console: http://127.0.0.1:{options['port']}/console/",
                    f"  staff login: {STAFF_USERNAME} / {password}",
                    "",
                ]
            )
        )
        if not options["no_serve"]:
            call_command("serve", port=options["port"])

    def _demo_points(self) -> None:
        """Give each demo account a few lots, once (the keys make a rerun change nothing)."""
        for account in Account.objects.select_related("member"):
            for months_ago, points in ((30, 300), (14, 500), (2, 800)):
                on = dt.date(2026, 11, 1) - dt.timedelta(days=30 * months_ago)
                points_adjust(
                    account_id=account.pk,
                    points=points + account.pk % 7 * 10,
                    on=on,
                    reason="demo points",
                    key=f"demo:{account.pk}:{months_ago}",
                )

    def _staff_login(self) -> str:
        """Create or reset the demo staff user with a fresh password, and return it."""
        password = secrets.token_urlsafe(9)
        user_model = get_user_model()
        user, _ = user_model.objects.get_or_create(username=STAFF_USERNAME)
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        return password
