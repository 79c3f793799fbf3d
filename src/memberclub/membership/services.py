"""Creating members together with their login and points account."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from memberclub.contracts.models import Contract
from memberclub.ledger.models import Account
from memberclub.members.ids import new_member_id
from memberclub.members.models import Member

MEMBER_ID_TRIES = 5


def member_create(
    *,
    contract: Contract,
    email: str,
    nickname: str,
    joined_on: dt.date,
    mail_opt_in: bool,
    language: str,
    source: str,
    password: str | None = None,
) -> Member:
    """Register a member on a contract with a login (member ID) and an empty points account."""
    user_model = get_user_model()
    for _ in range(MEMBER_ID_TRIES):
        member_id = new_member_id()
        try:
            with transaction.atomic():
                user = user_model.objects.create_user(
                    username=member_id, email=email, password=password
                )
                member = Member.objects.create(
                    member_id=member_id,
                    user=user,
                    contract=contract,
                    program=contract.program,
                    email=email,
                    nickname=nickname,
                    joined_on=joined_on,
                    mail_opt_in=mail_opt_in,
                    language=language,
                    source=source,
                )
                Account.objects.create(program=contract.program, member=member)
                return member
        except IntegrityError:
            # A random member ID can collide; the contract already having a member cannot be
            # cured by retrying, so check that before trying another ID.
            if Member.objects.filter(contract=contract, left_on__isnull=True).exists():
                raise
    raise RuntimeError("could not find a free member ID")
