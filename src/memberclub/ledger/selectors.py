"""Reading balances and lots; an expired lot never counts, whether or not the job has run."""

import datetime as dt

from django.db.models import Sum

from memberclub.domain.errors import Refused
from memberclub.ledger.models import Account, Lot
from memberclub.members.models import Member


def account_for_customer(*, customer_id: str) -> Account:
    """Return the account of the contract's current member, or else of its latest one."""
    members = Member.objects.filter(contract__customer_id=customer_id)
    member = (
        members.filter(left_on__isnull=True).first()
        or members.order_by("-joined_on", "-id").first()
    )
    if member is None:
        raise Refused(f"no member for customer ID {customer_id}")
    return Account.objects.get(member=member)


def account_lots(*, account_id: int, as_of: dt.date) -> list[Lot]:
    """Return the lots with points left that are still usable on `as_of`, soonest first."""
    return list(
        Lot.objects.filter(account_id=account_id, remaining__gt=0, expires_on__gte=as_of).order_by(
            "expires_on"
        )
    )


def account_balance(*, account_id: int, as_of: dt.date) -> int:
    """Return the points an account can spend on `as_of`."""
    total = Lot.objects.filter(account_id=account_id, expires_on__gte=as_of).aggregate(
        total=Sum("remaining")
    )["total"]
    return int(total or 0)
