"""`python -m bench.seed N POINTS`: N east members, each with POINTS in one lot (bulk, fast)."""

# Models are imported inside functions: these modules also run as child processes that
# must call django.setup() first.
# ruff: noqa: PLC0415

import datetime as dt
import sys

import django


def seed(count: int, points: int) -> None:
    """Load programs and catalogs, then write members, accounts, lots and grants in bulk."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from bench.scratch import ROOT
    from memberclub.contracts.models import Contract
    from memberclub.ledger.models import Account, Entry, EntryKind, Lot
    from memberclub.members.models import Member
    from memberclub.programs.selectors import program_on
    from memberclub.programs.services import programs_load_files
    from memberclub.rewards.catalog import catalogs_load_files

    programs_load_files(paths=[ROOT / "programs" / "east.toml", ROOT / "programs" / "west.toml"])
    catalogs_load_files(paths=sorted((ROOT / "programs").glob("*-catalog.toml")))
    award_on = dt.date.today().replace(day=1)
    expires_on = program_on(program="east", on=award_on).expiry_policy.expires_on(award_on)
    with transaction.atomic():
        contracts = Contract.objects.bulk_create(
            Contract(
                customer_id=f"BEN{n:07d}", access_key_digest="-", program="east", plan="FAMILY",
                holder_name=f"ベンチ {n}", holder_kind="INDIVIDUAL", phone="03-1234-5678",
                postal_code="1000001", address="東京都千代田区千代田1-1",
                service_started_on=dt.date(2020, 4, 1), status="ACTIVE",
                line_prefixes="192.0.2.0/24",
            )
            for n in range(count)
        )  # fmt: skip
        users = User.objects.bulk_create(
            # "!" is Django's mark of an unusable password.
            User(username=f"MC9{n:09d}", password="!")  # noqa: S106
            for n in range(count)
        )
        members = Member.objects.bulk_create(
            Member(
                member_id=user.username, user=user, contract=contract, program="east",
                email=f"{user.username.lower()}@example.com", nickname="bench",
                joined_on=dt.date(2021, 1, 1), source="bench",
            )
            for user, contract in zip(users, contracts, strict=True)
        )  # fmt: skip
        accounts = Account.objects.bulk_create(
            Account(program="east", member=member) for member in members
        )
        Lot.objects.bulk_create(
            Lot(account=a, program="east", expires_on=expires_on, granted=points, remaining=points)
            for a in accounts
        )
        Entry.objects.bulk_create(
            Entry(
                program="east", account=a, kind=EntryKind.GRANT, points=points,
                effective_on=award_on, expires_on=expires_on, idempotency_key=f"bench-grant:{a.pk}",
            )
            for a in accounts
        )  # fmt: skip


if __name__ == "__main__":
    django.setup()
    seed(int(sys.argv[1]), int(sys.argv[2]))
