"""`memberclub demo`: set up a demo club in the local database and serve it."""

import csv
import ctypes
import datetime as dt
import json
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from memberclub.contracts.importer import contracts_import
from memberclub.contracts.models import Contract
from memberclub.demo.data import (
    DEMO_CUSTOMER_ID,
    DEMO_FIRST_MONTH,
    EASY_CUSTOMER_ID,
    REGISTER_CUSTOMER_ID,
    write_demo_feeds,
    write_demo_usage,
)
from memberclub.domain.calendar import add_months
from memberclub.jobs.accrual import accrual_run
from memberclub.jobs.expiry import expiry_run
from memberclub.members.models import Member
from memberclub.membership.importer import members_import
from memberclub.notifications.models import Notice
from memberclub.programs.services import programs_load_files
from memberclub.rewards.catalog import catalogs_load_files
from memberclub.rewards.models import DigitalCode, Item, Kind
from memberclub.rewards.services import codes_load
from memberclub.usage.importer import usage_import

ROOT = Path(__file__).resolve().parents[5]
STAFF_USERNAME = "staff"
# Made-up codes loaded per digital-code item, whenever fewer than the low mark are left.
DEMO_CODES = 50
DEMO_CODES_LOW = 10
# Lots expire at the end of March (east) and of April (west): the expiry job runs the month after.
EAST_EXPIRY_MONTH = 4
WEST_EXPIRY_MONTH = 5


def _die_with_parent() -> None:
    """Ask Linux to stop a helper when the demo server stops (PR_SET_PDEATHSIG = 1)."""
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)


class Command(BaseCommand):
    """Load both programs and demo data, then serve."""

    help = "Migrate, load both programs and demo data, print the logins and serve on :8000."

    def add_arguments(self, parser: CommandParser) -> None:
        """Arguments: --no-serve to only prepare the data."""
        parser.add_argument("--no-serve", action="store_true", help="prepare, do not serve")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--smtp-port", type=int, default=1025, help="the local SMTP sink")

    def handle(self, *args: Any, **options: Any) -> None:
        """Prepare the demo and serve it."""
        Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
        call_command("migrate", stdout=self.stdout)
        files = sorted((ROOT / "programs").glob("*.toml"))
        programs_load_files(paths=[f for f in files if not f.stem.endswith("-catalog")])
        catalogs_load_files(paths=[f for f in files if f.stem.endswith("-catalog")])
        _stock_demo_codes()
        contracts_csv, members_csv = write_demo_feeds(Path(settings.VAR_DIR) / "demo")
        contracts = contracts_import(path=contracts_csv)
        members = members_import(path=members_csv)
        self.stdout.write(
            f"demo contracts: {contracts.created} new; demo members: {members.created} new"
        )
        today = timezone.localdate()
        usage_csv = write_demo_usage(
            contracts_csv.parent, contracts_csv, last_month=add_months(today.replace(day=1), -1)
        )
        self._demo_history(usage_csv, through=today.replace(day=1))
        logins = _demo_logins(Path(settings.VAR_DIR) / "demo" / "logins.json")
        password = self._staff_login(logins["staff"])
        member_id, member_password = self._member_login(logins["member"])
        self._demo_notice()
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "memberclub demo",
                    f"  console: http://127.0.0.1:{options['port']}/console/",
                    f"  staff login: {STAFF_USERNAME} / {password}",
                    f"  portal: http://127.0.0.1:{options['port']}/",
                    f"  demo member login: {member_id} / {member_password}"
                    f"  (contract {DEMO_CUSTOMER_ID}, line 127.0.0.0/8: LINE level from here)",
                    f"  try registering: {_registration_hint(contracts_csv)}",
                    f"  try easy registration: {self._easy_hint(contracts_csv)}",
                    f"  sent mail: http://127.0.0.1:{options['port']}/dev/outbox",
                    "",
                ]
            )
        )
        if not options["no_serve"]:
            self._start_helpers(options["smtp_port"])
            os.environ.setdefault("INSECURE_HTTP", "1")  # served over plain HTTP on this machine
            call_command("serve", port=options["port"])

    def _start_helpers(self, smtp_port: int) -> None:
        """Start the SMTP sink and the worker; they end with this process (PR_SET_PDEATHSIG)."""
        os.environ["MEMBERCLUB_DEMO"] = "1"
        os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp_port}"
        outbox = str(Path(settings.VAR_DIR) / "demo" / "outbox")
        os.environ["MEMBERCLUB_OUTBOX"] = outbox
        for command in (
            [
                sys.executable,
                "-m",
                "memberclub.demo.smtpsink",
                "--port",
                str(smtp_port),
                "--dir",
                outbox,
            ],
            [sys.executable, "-m", "memberclub", "worker", "--verbosity", "0"],
        ):
            subprocess.Popen(command, preexec_fn=_die_with_parent)  # noqa: S603, PLW1509 - fixed commands

    def _member_login(self, password: str) -> tuple[str, str]:
        """Give the demo member (contract CAF0000001) the demo's password; return the login."""
        member = Member.objects.select_related("user").get(
            contract__customer_id=DEMO_CUSTOMER_ID, left_on__isnull=True
        )
        if not member.user.check_password(password) or not member.user.is_active:
            member.user.set_password(password)
            member.user.is_active = True
            member.user.save()
        return member.member_id, password

    def _demo_notice(self) -> None:
        """A club notice on the members' top page, once."""
        Notice.objects.get_or_create(
            title_ja="デモ版のメンバーズクラブへようこそ",
            defaults={
                "title_en": "Welcome to the demo Members Club",
                "body_ja": "ポイントの確認・交換、認証キー、会員登録をお試しいただけます。",
                "body_en": "Try points, exchanges, auth keys and registration.",
                "published_on": dt.date(2026, 11, 1),
            },
        )

    def _easy_hint(self, contracts_csv: Path) -> str:
        """The holder details of a demo contract that easy registration can still match."""
        free = _unregistered(contracts_csv)
        customer_id = EASY_CUSTOMER_ID if EASY_CUSTOMER_ID in free else None
        others = [c for c in free if c != _registration_candidate(free)]
        contract = Contract.objects.filter(
            customer_id=customer_id or next(iter(others), "")
        ).first()
        if contract is None:
            return "every demo contract is registered"
        return (
            f"name {contract.holder_name}, phone {contract.phone}, "
            f"postal code {contract.postal_code}"
        )

    def _demo_history(self, usage_csv: Path, *, through: dt.date) -> None:
        """Run the real monthly jobs over the demo's past; each run is done once, so a restart
        of the demo changes nothing."""
        usage_import(path=usage_csv)
        month = DEMO_FIRST_MONTH
        while month <= through:
            if month.month == EAST_EXPIRY_MONTH:
                expiry_run(program="east", as_of=month)
            if month.month == WEST_EXPIRY_MONTH:
                expiry_run(program="west", as_of=month)
            for program in ("east", "west"):
                accrual_run(program=program, month=month)
            month = add_months(month, 1)

    def _staff_login(self, password: str) -> str:
        """Create the demo staff user, or give it back the demo's password; return it."""
        user_model = get_user_model()
        user, _ = user_model.objects.get_or_create(username=STAFF_USERNAME)
        if not (user.is_staff and user.is_superuser and user.check_password(password)):
            user.is_staff = True
            user.is_superuser = True
            user.set_password(password)
            user.save()
        return password


def _stock_demo_codes() -> None:
    """Keep every digital-code item of the demo in stock: top its pool up with made-up codes
    when fewer than DEMO_CODES_LOW are left (a restart with enough left adds none)."""
    for item in Item.objects.filter(kind=Kind.DIGITAL_CODE, stock__lt=DEMO_CODES_LOW):
        made = DigitalCode.objects.filter(item=item).count()
        codes_load(
            item_code=item.code,
            codes=[f"DEMO-{item.code}-{n:05d}" for n in range(made + 1, made + DEMO_CODES + 1)],
        )


def _demo_logins(path: Path) -> dict[str, str]:
    """The demo's passwords: made once at random, kept in var/demo, the same on every restart."""
    if path.exists():
        kept = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(kept, dict) and {"staff", "member"} <= kept.keys():
            return {"staff": str(kept["staff"]), "member": str(kept["member"])}
    logins = {"staff": secrets.token_urlsafe(9), "member": secrets.token_urlsafe(9)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(logins), encoding="utf-8")
    path.chmod(0o600)
    return logins


def _unregistered(contracts_csv: Path) -> dict[str, str]:
    """The demo's ACTIVE contracts with no current member, customer ID to access key, in order."""
    with contracts_csv.open(newline="", encoding="utf-8") as handle:
        active = {
            row["customer_id"]: row["access_key"]
            for row in csv.DictReader(handle)
            if row["status"] == "ACTIVE" and row["holder_kind"] == "INDIVIDUAL"
        }
    taken = set(
        Member.objects.filter(contract__customer_id__in=active, left_on__isnull=True).values_list(
            "contract__customer_id", flat=True
        )
    )
    return {customer: key for customer, key in active.items() if customer not in taken}


def _registration_candidate(free: dict[str, str]) -> str | None:
    """The contract to suggest for standard registration: the demo's own, else the next free."""
    if REGISTER_CUSTOMER_ID in free:
        return REGISTER_CUSTOMER_ID
    return next((c for c in free if c != EASY_CUSTOMER_ID), None)


def _registration_hint(contracts_csv: Path) -> str:
    """A customer ID and access key that standard registration still accepts."""
    free = _unregistered(contracts_csv)
    customer_id = _registration_candidate(free)
    if customer_id is None:
        return "every demo contract is registered"
    return f"customer ID {customer_id}, access key {free[customer_id]}"
